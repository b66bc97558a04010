"""Word lists the rule extractors share: places, groups, organisations, titles, cue verbs.

General knowledge of English news style only; nothing here names a person. Each list is a
plain tuple or dict so a student can read, extend and test it.
"""

from __future__ import annotations


def _words(block: str) -> tuple[str, ...]:
    """One entry per line or ``;``-separated item, blank entries dropped."""
    return tuple(item.strip() for line in block.splitlines() for item in line.split(";") if item.strip())


COUNTRIES = _words("""
Afghanistan; Albania; Algeria; Angola; Argentina; Armenia; Australia; Austria; Azerbaijan; Bahrain; Bangladesh
Belarus; Belgium; Bolivia; Bosnia; Brazil; Bulgaria; Cambodia; Cameroon; Canada; Chad; Chile; China; Colombia
Congo; Croatia; Cuba; Cyprus; Czech Republic; Denmark; Ecuador; Egypt; Eritrea; Estonia; Ethiopia; Finland; France
Georgia; Germany; Ghana; Greece; Guatemala; Haiti; Honduras; Hungary; Iceland; India; Indonesia; Iran; Iraq
Ireland; Israel; Italy; Jamaica; Japan; Jordan; Kazakhstan; Kenya; Kosovo; Kuwait; Kyrgyzstan; Laos; Latvia
Lebanon; Libya; Lithuania; Luxembourg; Madagascar; Malaysia; Mali; Mexico; Moldova; Mongolia; Montenegro
Morocco; Mozambique; Myanmar; Nepal; the Netherlands; Netherlands; New Zealand; Nicaragua; Niger; Nigeria
North Korea; South Korea; Korea; Norway; Oman; Pakistan; Palestine; Panama; Paraguay; Peru; the Philippines
Philippines; Poland; Portugal; Qatar; Romania; Russia; Rwanda; Saudi Arabia; Senegal; Serbia; Singapore
Slovakia; Slovenia; Somalia; South Africa; South Sudan; Spain; Sri Lanka; Sudan; Sweden; Switzerland; Syria
Taiwan; Tajikistan; Tanzania; Thailand; Tunisia; Turkey; Turkmenistan; Uganda; Ukraine; United Arab Emirates
UAE; United Kingdom; U.K.; UK; Britain; Great Britain; United States; the United States; U.S.; US; USA; U.S.A.
America; Uruguay; Uzbekistan; Venezuela; Vietnam; Viet Nam; Yemen; Zambia; Zimbabwe; DPRK; ROK
Democratic People's Republic of Korea; the Democratic People's Republic of Korea; Republic of Korea
the Republic of Korea; People's Republic of China; the People's Republic of China; Soviet Union; the Soviet Union
European Union; Hong Kong; Macau; Scotland; England; Wales; Northern Ireland; Vatican; Gaza; West Bank
Crimea; Tibet; Xinjiang; Andorra; Antigua and Barbuda; Bahamas; Barbados; Belize; Benin; Bhutan; Botswana; Brunei
Burkina Faso; Burundi; Cape Verde; Central African Republic; Comoros; Costa Rica; Djibouti; Dominica
Dominican Republic; East Timor; Timor-Leste; El Salvador; Equatorial Guinea; Eswatini; Fiji; Gabon; Gambia
Grenada; Guinea; Guinea-Bissau; Guyana; Ivory Coast; Kiribati; Lesotho; Liberia; Liechtenstein; Malawi; Maldives
Malta; Marshall Islands; Mauritania; Mauritius; Micronesia; Monaco; Namibia; Nauru; North Macedonia; Palau
Papua New Guinea; Saint Lucia; Samoa; San Marino; Seychelles; Sierra Leone; Solomon Islands; Suriname; Togo
Tonga; Trinidad and Tobago; Tuvalu; Vanuatu; Puerto Rico; Greenland; Catalonia; Bavaria; Quebec; Ontario
""")
CITIES = _words("""
Hanoi; Ho Chi Minh City; Pyongyang; Seoul; Busan; Beijing; Shanghai; Tokyo; Osaka; Washington; Washington, D.C.
New York; New York City; Los Angeles; Chicago; San Francisco; Boston; Miami; Houston; Atlanta; Seattle; Moscow
London; Paris; Berlin; Rome; Madrid; Brussels; Geneva; Vienna; Stockholm; Oslo; Helsinki; Copenhagen; Warsaw
Kiev; Kyiv; Minsk; Prague; Budapest; Athens; Istanbul; Ankara; Tehran; Baghdad; Damascus; Beirut; Jerusalem
Tel Aviv; Cairo; Riyadh; Dubai; Abu Dhabi; Doha; Kabul; Islamabad; New Delhi; Delhi; Mumbai; Dhaka; Bangkok
Jakarta; Manila; Kuala Lumpur; Phnom Penh; Vientiane; Yangon; Naypyidaw; Ulan Bator; Ulaanbaatar; Taipei
Canberra; Sydney; Melbourne; Wellington; Ottawa; Toronto; Montreal; Vancouver; Mexico City; Havana; Caracas
Bogota; Lima; Santiago; Buenos Aires; Brasilia; Rio de Janeiro; Sao Paulo; Nairobi; Lagos; Abuja; Johannesburg
Pretoria; Cape Town; Addis Ababa; Khartoum; Tripoli; Tunis; Algiers; Rabat; Panmunjom; Da Nang; Kaesong
Vladivostok; Hong Kong; Macau; Davos; Brussels; Strasbourg; Hiroshima; Nagasaki; Okinawa; Guam; Hawaii
Barcelona; Munich; Hamburg; Frankfurt; Cologne; Milan; Turin; Naples; Lisbon; Porto; Amsterdam; Rotterdam; Zurich
Dublin; Edinburgh; Glasgow; Manchester; Liverpool; Birmingham; Marseille; Lyon; Seville; Valencia; Auckland
Brisbane; Perth; Adelaide; Kyoto; Shenzhen; Guangzhou; Chengdu; Wuhan; Karachi; Lahore; Kolkata; Chennai
Bangalore; Philadelphia; Detroit; Dallas; Denver; Phoenix; Las Vegas; New Orleans; Baltimore; Pittsburgh
""")
US_STATES = _words("""
Alabama; Alaska; Arizona; Arkansas; California; Colorado; Connecticut; Delaware; Florida; Idaho; Illinois
Indiana; Iowa; Kansas; Kentucky; Louisiana; Maine; Maryland; Massachusetts; Michigan; Minnesota; Mississippi
Missouri; Montana; Nebraska; Nevada; New Hampshire; New Jersey; New Mexico; North Carolina; North Dakota; Ohio
Oklahoma; Oregon; Pennsylvania; Rhode Island; South Carolina; South Dakota; Tennessee; Texas; Utah; Vermont
Virginia; West Virginia; Wisconsin; Wyoming
""")
LOCATIONS = _words("""
Asia; Europe; Africa; North America; South America; Latin America; Central America; Middle East; the Middle East
Southeast Asia; South Asia; East Asia; Northeast Asia; Central Asia; Asia-Pacific; the Asia-Pacific; Pacific
the Pacific; Atlantic; the Atlantic; Arctic; the Arctic; Antarctica; Korean Peninsula; the Korean Peninsula
Balkans; the Balkans; Caribbean; the Caribbean; Mediterranean; the Mediterranean; Gulf; the Gulf; Persian Gulf
South China Sea; the South China Sea; East China Sea; Sea of Japan; Yellow Sea; Demilitarized Zone; DMZ
Sahara; Himalayas; Scandinavia
""")
NORP = _words("""
American; Americans; Chinese; Japanese; Korean; Koreans; North Korean; North Koreans; South Korean; South Koreans
Vietnamese; Russian; Russians; British; French; German; Germans; Iranian; Iranians; Israeli; Israelis
Palestinian; Palestinians; Indian; Indians; Pakistani; Syrian; Syrians; Iraqi; Iraqis; Afghan; Afghans
Ukrainian; Ukrainians; European; Europeans; African; Africans; Asian; Asians; Arab; Arabs; Muslim; Muslims
Christian; Christians; Jewish; Jews; Democrat; Democrats; Republican; Republicans; Communist; Communists
Mexican; Mexicans; Canadian; Canadians; Brazilian; Australian; Turkish; Turk; Turks; Saudi; Saudis; Egyptian
Italian; Spanish; Dutch; Swiss; Swedish; Norwegian; Polish; Greek; Thai; Indonesian; Filipino; Malaysian
Singaporean; Taiwanese; Cuban; Venezuelan; Colombian; Argentine; Nigerian; Kenyan; Ethiopian; Yemeni
Lebanese; Jordanian; Qatari; Emirati; Kurdish; Kurds; Sunni; Shiite; Catholic; Catholics; Buddhist; Hindu
Southeast Asian; East Asian; South Asian; Central Asian; Middle Eastern; Latin American; New Zealander; Irish
Scottish; Welsh; Portuguese; Belgian; Austrian; Danish; Finnish; Czech; Hungarian; Romanian; Bulgarian; Serbian
Croatian; Bosnian; Albanian; Slovak; Slovenian; Estonian; Latvian; Lithuanian; Icelandic; Moroccan; Algerian
Tunisian; Ghanaian; Senegalese; Ugandan; Tanzanian; Rwandan; Zimbabwean; Zambian; Angolan; Peruvian; Chilean
Bolivian; Ecuadorian; Uruguayan; Panamanian; Haitian; Jamaican; Nepali; Bangladeshi; Sri Lankan; Burmese; Kazakh
Uzbek; Azerbaijani; Fijian; Samoan; Tongan; Maori; Catalan; Basque; Flemish; Pacific Islander; Pacific Islanders
Europeans; Latino; Latinos; Hispanic; Bavarian; Kiwi; Aboriginal; Indigenous
Laotian; Cambodian; Mongolian; Belarusian; Georgian; Armenian; Libyan; Sudanese; Somali
""")
ORGANISATIONS = _words("""
United Nations; the United Nations; UN; U.N.; White House; the White House; Kremlin; the Kremlin; Pentagon
the Pentagon; Congress; U.S. Congress; Senate; the Senate; House of Representatives; State Department
the State Department; Department of State; Foreign Ministry; the Foreign Ministry; Defense Ministry
European Commission; NATO; WHO; World Health Organization; IMF; International Monetary Fund; World Bank; WTO
World Trade Organization; ASEAN; Association of Southeast Asian Nations; Security Council; UN Security Council
U.N. Security Council; the Security Council; IAEA; International Atomic Energy Agency; Reuters; AP
Associated Press; the Associated Press; AFP; Agence France-Presse; Xinhua; KCNA; Korean Central News Agency
Yonhap; CNN; BBC; Fox News; New York Times; The New York Times; Washington Post; The Washington Post
Wall Street Journal; The Wall Street Journal; Bloomberg; Supreme Court; the Supreme Court; FBI; CIA; NSA
Democratic Party; Republican Party; Workers' Party of Korea; Communist Party; Blue House; Google; Apple
Microsoft; Amazon; Facebook; Twitter; Huawei; Samsung; Toyota; G20; G7; OPEC; Interpol; Red Cross; Hamas
Hezbollah; Taliban; the Taliban; Islamic State; ISIS; EU; the European Union; African Union; Downing Street
Elysee; Politburo; Central Committee; National Assembly; Knesset; Duma; Bundestag; Parliament
""")
# A word ending a capitalised name that makes the name an organisation / facility / location.
ORG_SUFFIXES = frozenset(
    _words("""
Party; Ministry; Department; Agency; Council; Committee; Commission; Company; Co.; Corp; Corp.; Corporation
Inc; Inc.; Ltd; Ltd.; Group; University; College; Institute; Bank; Association; Organization; Organisation
Union; Federation; Court; Army; Navy; Forces; Police; News; Times; Post; Journal; Foundation; Fund; Service
Office; Bureau; Assembly; Parliament; Administration; Authority; Board; League; Club; Society; Network
Television; Airlines; Airways; Press; Gazette; Herald; Tribune; Daily; Institution; Alliance; Coalition
""").__iter__()
)
FAC_SUFFIXES = frozenset(
    _words("""
Hotel; Airport; Palace; Bridge; Building; Tower; Square; Stadium; Hall; Station; Port; Base; Prison; Museum
Highway; Street; Avenue; Road; Temple; Cathedral; Mosque; Arena; Plaza; Mausoleum; Residence; Compound
Guesthouse; Guest House; Center; Centre; Complex; Pavilion; Villa; Reactor; Facility; Site
""").__iter__()
)
LOC_SUFFIXES = frozenset(
    _words("""
Peninsula; Sea; Ocean; River; Lake; Mountains; Mountain; Gulf; Bay; Strait; Island; Islands; Valley; Desert
Coast; Region; Province; Zone
""").__iter__()
)

# Titles and roles that introduce a person's name ("U.S. President Donald Trump", "leader Kim
# Jong Un") and, as nouns, refer back to that person ("the president", "the top diplomat").
TITLE_WORDS = frozenset(
    _words("""
president; vice; secretary; minister; premier; leader; chairman; chairwoman; chair; chancellor; king; queen
prince; princess; pope; general; gen.; governor; gov.; senator; sen.; rep.; representative; mayor; ambassador
envoy; spokesman; spokeswoman; spokesperson; adviser; advisor; director; chief; ceo; commander; official
diplomat; negotiator; judge; justice; attorney; lawyer; professor; prof.; dr.; mr.; mrs.; ms.; miss; lt.; col.
sgt.; captain; capt.; coach; analyst; economist; researcher; founder; executive; counterpart; dictator; speaker
head; emperor; sheikh; ayatollah; cardinal; bishop; reverend; rev.; admiral; adm.; colonel; lieutenant
sergeant; marshal; deputy; aide; strongman; monarch; chairperson; expert; scholar; author; activist
correspondent; reporter; journalist; editor; commissioner; inspector; superintendent; manager; president-elect
""").__iter__()
)
# Capitalised words that belong to a title rather than a name ("Secretary of State").
TITLE_PARTS = frozenset(
    _words("""
of; the; for; and; State; Defense; Defence; Foreign; Affairs; Home; Interior; Finance; Treasury; Trade
Commerce; Justice; Security; National; Homeland; Energy; Health; Education; Labor; Labour; Agriculture
Prime; Supreme; Top; Deputy; Vice; General; Chief; Executive; Senior; First; Special; Representative
Minister; Secretary; President; Leader; Chairman; Premier; Chancellor; Ambassador; Envoy; Advisor; Adviser
Director; Commander; Governor; Mayor; Senator; Sen.; Rep.; Gov.; Gen.; Dr.; Mr.; Mrs.; Ms.; Prof.; Former
Acting; Assistant; Majority; Minority; House; Speaker; Spokesman; Spokeswoman; Spokesperson; King; Queen
Prince; Princess; Pope; Sheikh; Ayatollah; Admiral; Colonel; Lieutenant; Sergeant; Captain; Marshal; CEO; Chief
Party; Central; Committee; Military; Army; Navy; Air; Force
""").__iter__()
)
# A role noun used in a nominal mention, and the title words that introduce someone in that
# role: "the top U.S. diplomat" refers back to a person introduced as "Secretary of State".
ROLE_TITLES: dict[str, tuple[str, ...]] = {
    "president": ("president",),
    "leader": ("leader", "president", "chairman", "premier", "prime minister", "chancellor", "king", "supreme"),
    "diplomat": ("secretary of state", "foreign minister", "foreign secretary", "ambassador", "envoy", "diplomat"),
    "secretary": ("secretary",),
    "minister": ("minister",),
    "premier": ("premier", "prime minister"),
    "chancellor": ("chancellor",),
    "chairman": ("chairman",),
    "envoy": ("envoy", "special representative", "ambassador"),
    "negotiator": ("negotiator", "envoy", "special representative"),
    "spokesman": ("spokesman", "spokesperson"),
    "spokeswoman": ("spokeswoman", "spokesperson"),
    "spokesperson": ("spokesman", "spokeswoman", "spokesperson"),
    "ambassador": ("ambassador",),
    "official": ("official", "secretary", "minister", "director", "adviser", "advisor"),
    "governor": ("governor",),
    "mayor": ("mayor",),
    "senator": ("senator", "sen."),
    "general": ("general", "gen."),
    "commander": ("commander", "general"),
    "chief": ("chief", "director", "head"),
    "ceo": ("ceo", "chief executive"),
    "executive": ("ceo", "chief executive", "executive"),
    "king": ("king",),
    "queen": ("queen",),
    "pope": ("pope",),
    "adviser": ("adviser", "advisor"),
    "advisor": ("adviser", "advisor"),
    "director": ("director",),
    "judge": ("judge", "justice"),
    "host": ("president", "leader", "prime minister"),
}
# Document nouns whose "said" belongs to their author: "the statement from the White House said".
DOCUMENT_NOUNS = frozenset(
    ("statement", "report", "communique", "announcement", "readout", "release", "letter", "message", "memo")
)
# Given names that mark a capitalised word pair as a person even without a title or a cue verb.
GIVEN_NAMES = frozenset(
    _words("""
John; James; Robert; Michael; William; David; Richard; Joseph; Thomas; Charles; Christopher; Daniel; Matthew
Anthony; Mark; Donald; Steven; Paul; Andrew; Joshua; Kenneth; Kevin; Brian; George; Timothy; Ronald; Edward
Jason; Jeffrey; Ryan; Jacob; Gary; Nicholas; Eric; Jonathan; Stephen; Larry; Justin; Scott; Brandon; Benjamin
Samuel; Frank; Gregory; Raymond; Alexander; Patrick; Jack; Dennis; Jerry; Tyler; Aaron; Jose; Henry; Adam
Douglas; Nathan; Peter; Zachary; Kyle; Walter; Harold; Jeremy; Ethan; Carl; Keith; Roger; Gerald; Christian
Terry; Sean; Arthur; Austin; Noah; Lawrence; Jesse; Joe; Bryan; Billy; Jordan; Albert; Dylan; Bruce; Willie
Gabriel; Alan; Juan; Logan; Wayne; Ralph; Roy; Eugene; Randy; Vincent; Russell; Louis; Philip; Bobby; Johnny
Bradley; Mike; Bill; Jim; Tom; Bob; Dan; Steve; Tony; Ted; Chris; Rex; Rudy; Nancy; Hillary; Mary; Patricia
Jennifer; Linda; Elizabeth; Barbara; Susan; Jessica; Sarah; Karen; Lisa; Betty; Margaret; Sandra; Ashley
Kimberly; Emily; Donna; Michelle; Carol; Amanda; Dorothy; Melissa; Deborah; Stephanie; Rebecca; Sharon; Laura
Cynthia; Kathleen; Amy; Angela; Shirley; Anna; Brenda; Pamela; Emma; Nicole; Helen; Samantha; Katherine
Christine; Debra; Rachel; Carolyn; Janet; Catherine; Maria; Heather; Diane; Ruth; Julie; Olivia; Joyce
Virginia; Victoria; Kelly; Lauren; Christina; Joan; Evelyn; Judith; Megan; Andrea; Cheryl; Hannah; Jacqueline
Martha; Gloria; Teresa; Ann; Sara; Madison; Frances; Kathryn; Janice; Jean; Abigail; Alice; Julia; Judy
Sophia; Grace; Denise; Amber; Marilyn; Beverly; Danielle; Theresa; Diana; Natalie; Brittany; Charlotte; Marie
Kayla; Alexis; Lori; Angela; Theresa; Vladimir; Sergei; Sergey; Dmitry; Xi; Li; Wang; Zhang; Liu; Chen; Moon
Shinzo; Angela; Emmanuel; Theresa; Boris; Justin; Narendra; Recep; Benjamin; Hassan; Ali; Mohammed; Muhammad
Ahmed; Abdullah; Omar; Hamid; Jae; Kang; Lee; Park; Choi; Nguyen; Tran; Pham; Hoang; Phan; Vu; Le; Francois
Jean; Pierre; Jacques; Carlos; Luis; Miguel; Pedro; Manuel; Antonio; Giuseppe; Hans; Klaus; Olaf; Jens; Ursula
""").__iter__()
)

# Cue verbs of attribution (PARC 3.0 / GenderGapTracker style): every inflected form listed,
# since a blank pipeline has no lemmatizer.
CUE_VERBS: dict[str, tuple[str, ...]] = {
    "say": ("say", "says", "said", "saying"),
    "tell": ("tell", "tells", "told", "telling"),
    "add": ("add", "adds", "added", "adding"),
    "note": ("note", "notes", "noted", "noting"),
    "state": ("state", "states", "stated", "stating"),
    "announce": ("announce", "announces", "announced", "announcing"),
    "declare": ("declare", "declares", "declared", "declaring"),
    "explain": ("explain", "explains", "explained", "explaining"),
    "insist": ("insist", "insists", "insisted", "insisting"),
    "stress": ("stress", "stresses", "stressed", "stressing"),
    "emphasize": ("emphasize", "emphasizes", "emphasized", "emphasizing", "emphasise", "emphasised"),
    "reiterate": ("reiterate", "reiterates", "reiterated", "reiterating"),
    "warn": ("warn", "warns", "warned", "warning"),
    "claim": ("claim", "claims", "claimed", "claiming"),
    "argue": ("argue", "argues", "argued", "arguing"),
    "suggest": ("suggest", "suggests", "suggested", "suggesting"),
    "hint": ("hint", "hints", "hinted", "hinting"),
    "admit": ("admit", "admits", "admitted", "admitting"),
    "acknowledge": ("acknowledge", "acknowledges", "acknowledged", "acknowledging"),
    "confirm": ("confirm", "confirms", "confirmed", "confirming"),
    "deny": ("deny", "denies", "denied", "denying"),
    "report": ("reports", "reported"),
    "write": ("write", "writes", "wrote", "writing"),
    "tweet": ("tweet", "tweets", "tweeted", "tweeting"),
    "ask": ("ask", "asks", "asked", "asking"),
    "reply": ("reply", "replies", "replied"),
    "respond": ("respond", "responds", "responded"),
    "answer": ("answer", "answers", "answered"),
    "recall": ("recall", "recalls", "recalled", "recalling"),
    "predict": ("predict", "predicts", "predicted", "predicting"),
    "promise": ("promise", "promises", "promised", "promising"),
    "vow": ("vow", "vows", "vowed", "vowing"),
    "pledge": ("pledge", "pledges", "pledged", "pledging"),
    "assert": ("assert", "asserts", "asserted", "asserting"),
    "contend": ("contend", "contends", "contended"),
    "maintain": ("maintains", "maintained"),
    "observe": ("observes", "observed"),
    "remark": ("remark", "remarks", "remarked"),
    "comment": ("commented",),
    "describe": ("described", "describes"),
    "call": ("call", "calls", "called", "calling"),
    "urge": ("urge", "urges", "urged", "urging"),
    "demand": ("demand", "demands", "demanded", "demanding"),
    "complain": ("complain", "complains", "complained"),
    "concede": ("concede", "concedes", "conceded"),
    "indicate": ("indicate", "indicates", "indicated"),
    "reveal": ("reveal", "reveals", "revealed"),
    "disclose": ("disclosed",),
    "estimate": ("estimated", "estimates"),
    "believe": ("believes", "believed"),
    "feel": ("feels", "felt"),
    "think": ("thinks", "thought"),
    "agree": ("agreed",),
    "quote": ("quoted",),
}
CUE_FORMS: dict[str, str] = {form: lemma for lemma, forms in CUE_VERBS.items() for form in forms}
# Cues that need a complement clause or a quotation to count (they have other senses):
# "called for talks", "agreed to meet", "believed to be".
WEAK_CUES = frozenset(
    (
        "call",
        "feel",
        "urge",
        "demand",
        "agree",
        "believe",
        "think",
        "describe",
        "ask",
        "promise",
        "pledge",
        "vow",
        "estimate",
        "report",
        "write",
        "quote",
        "maintain",
        "observe",
        "state",
        "answer",
        "indicate",
        "reveal",
        "warn",
        "predict",
        "recall",
        "admit",
        "claim",
        "deny",
    )
)
# Multi-word source cues: "according to X".
ACCORDING = ("according to",)
# Objects of "told" / "said ... to" that name the audience, skipped before the content.
AUDIENCE_NOUNS = frozenset(
    (
        "reporters",
        "journalists",
        "press",
        "media",
        "lawmakers",
        "audience",
        "crowd",
        "conference",
        "briefing",
        "parliament",
        "congress",
        "students",
        "supporters",
        "interviewer",
        "newspaper",
        "television",
        "radio",
        "agency",
        "gathering",
        "summit",
    )
)
PRONOUNS = {
    "he": "PERSON",
    "she": "PERSON",
    "him": "PERSON",
    "her": "PERSON",
    "it": "ORG",
    "they": "GROUP",
    "we": "GROUP",
    "i": "PERSON",
}
