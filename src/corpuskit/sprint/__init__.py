"""The class annotation sprint: pool a class's annotations of one passage (:mod:`.collect`),
measure the class's agreement (:mod:`.measure`), show it for a slide (:mod:`.report`) and
decide the disputed spans (:mod:`.adjudicate`)."""
