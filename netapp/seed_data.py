"""Demo data for the paediatric palliative care networks (pure data, no app imports).

Everything here is fictional: the people are invented, and every e-mail address is on the
reserved ``.example`` domain. Workplaces and organisations are modelled on the real services in
Sør-Rogaland described in the project's final report. Nothing here concerns patients or children.

A loader elsewhere turns these structures into database rows; keep the shapes stable.
"""

# All 15 municipalities of Sør-Rogaland: (municipality number, name).
MUNICIPALITIES = [
    ("1101", "Eigersund"),
    ("1103", "Stavanger"),
    ("1108", "Sandnes"),
    ("1111", "Sokndal"),
    ("1112", "Lund"),
    ("1114", "Bjerkreim"),
    ("1119", "Hå"),
    ("1120", "Klepp"),
    ("1121", "Time"),
    ("1122", "Gjesdal"),
    ("1124", "Sola"),
    ("1127", "Randaberg"),
    ("1130", "Strand"),
    ("1133", "Hjelmeland"),
    ("1144", "Kvitsøy"),
]

# Organisations other than municipalities: key -> (kind, name).
# kind in "hospital_department", "ngo", "other".
ORGANISATIONS = {
    "sus-barn": ("hospital_department", "Stavanger universitetssjukehus, Barne- og ungdomsklinikken"),
    "sus-nyfodt": ("hospital_department", "Stavanger universitetssjukehus, Nyfødtintensiv avdeling"),
    "sus-habu": ("hospital_department", "Stavanger universitetssjukehus, Habiliteringstjenesten for barn og unge (HABU)"),
    "sus-bup": ("hospital_department", "Stavanger universitetssjukehus, Psykisk helsevern for barn og unge (BUP)"),
    "sus-palliativt": ("hospital_department", "Stavanger universitetssjukehus, Kreftavdelingen, Palliativt senter"),
    "kreftomsorg": ("ngo", "Kreftomsorg Rogaland"),
    "usht": ("other", "Utviklingssenter for sykehjem og hjemmetjenester Rogaland"),
}

# Workplaces: key -> (organisation, name, sector).
# organisation is a municipality number or an ORGANISATIONS key.
# sector in "health_care", "education", "specialist", "voluntary".
WORKPLACES = {
    # Stavanger (1103)
    "madla": ("1103", "Madla avlastningsbolig", "health_care"),
    "kpt": ("1103", "Kommunalt palliativt team", "health_care"),
    "stv-barnebolig": ("1103", "Hinna barnebolig", "health_care"),
    "stv-hjemmesykepleie": ("1103", "Hjemmesykepleien Hundvåg og Storhaug", "health_care"),
    "stv-helsestasjon": ("1103", "Helsestasjons- og skolehelsetjenesten Madla og Tasta", "health_care"),
    "stv-fysio-ergo": ("1103", "Fysio- og ergoterapitjenesten", "health_care"),
    "stv-koordinerende": ("1103", "Koordinerende enhet sør, barnekoordinatorer", "health_care"),
    "stv-stokkatunet": ("1103", "Stokkatunet barnehage", "education"),
    "stv-skole": ("1103", "Kvernevik skole", "education"),
    "stv-ppt": ("1103", "Pedagogisk-psykologisk tjeneste (PPT) Stavanger", "education"),
    # Sandnes (1108)
    "snd-avlastning": ("1108", "Rundeskogen bo- og avlastning for barn og unge", "health_care"),
    "snd-tildeling": ("1108", "Tildelingskontoret, koordinerende enhet", "health_care"),
    "snd-helsestasjon": ("1108", "Helsestasjonen Sandnes sentrum", "health_care"),
    "snd-ppt": ("1108", "PPT Sandnes", "education"),
    "snd-barnehage": ("1108", "Lura barnehage", "education"),
    # Sola (1124)
    "sola-hjemmesykepleie": ("1124", "Hjemmesykepleien Sola", "health_care"),
    "sola-avlastning": ("1124", "Sola bo- og avlastningstjeneste for barn", "health_care"),
    "sola-skole": ("1124", "Tananger skole", "education"),
    "sola-barnehage": ("1124", "Sola barnehage, forsterket avdeling", "education"),
    # Time (1121)
    "time-helsestasjon": ("1121", "Helsestasjonen i Time", "health_care"),
    "time-ergo": ("1121", "Fysio- og ergoterapitenesta i Time", "health_care"),
    "time-barnehage": ("1121", "Bryne barnehage", "education"),
    # Klepp (1120)
    "klepp-hjemmesykepleie": ("1120", "Heimesjukepleia i Klepp", "health_care"),
    "klepp-koordinerende": ("1120", "Koordinerande eining Klepp", "health_care"),
    "klepp-skole": ("1120", "Kleppe skule", "education"),
    # Hå (1119)
    "ha-avlastning": ("1119", "Hå bu- og avlastingsteneste for born", "health_care"),
    "ha-fysio": ("1119", "Fysioterapitenesta i Hå", "health_care"),
    # Eigersund (1101)
    "eig-hjemmesykepleie": ("1101", "Hjemmesykepleien Eigersund", "health_care"),
    "eig-helsestasjon": ("1101", "Helsestasjonen i Egersund", "health_care"),
    "eig-tildeling": ("1101", "Tildelingskontoret Eigersund", "health_care"),
    # Strand (1130)
    "strand-hjemmesykepleie": ("1130", "Hjemmesykepleien Strand", "health_care"),
    "strand-helsestasjon": ("1130", "Helsestasjonen på Jørpeland", "health_care"),
    "strand-fysio-ergo": ("1130", "Fysio- og ergoterapitjenesten Strand", "health_care"),
    # Gjesdal (1122)
    "gjesdal-avlastning": ("1122", "Gjesdal avlastning for barn og unge", "health_care"),
    "gjesdal-helsestasjon": ("1122", "Helsestasjonen i Gjesdal", "health_care"),
    "gjesdal-hjemmesykepleie": ("1122", "Hjemmesykepleien Gjesdal", "health_care"),
    # Randaberg (1127)
    "randaberg-helsestasjon": ("1127", "Helsestasjonen i Randaberg", "health_care"),
    "randaberg-tildeling": ("1127", "Koordinerende enhet Randaberg", "health_care"),
    # Sokndal (1111)
    "sokndal-hjemmesykepleie": ("1111", "Hjemmesykepleien Sokndal", "health_care"),
    "sokndal-helsestasjon": ("1111", "Helsestasjonen i Sokndal", "health_care"),
    # Lund (1112)
    "lund-fysio": ("1112", "Fysioterapitjenesten i Lund", "health_care"),
    # Bjerkreim (1114)
    "bjerkreim-hjemmesykepleie": ("1114", "Heimesjukepleia i Bjerkreim", "health_care"),
    # Hjelmeland (1133)
    "hjelmeland-hjemmesykepleie": ("1133", "Heimetenesta i Hjelmeland", "health_care"),
    # Stavanger universitetssjukehus (specialist health service)
    "sus-barnepall": ("sus-barn", "Barnepalliativt team", "specialist"),
    "sus-nyfodt": ("sus-nyfodt", "Nyfødtintensiv", "specialist"),
    "sus-habu": ("sus-habu", "HABU, seksjon for barn 0-6 år", "specialist"),
    "sus-bup": ("sus-bup", "BUP poliklinikk Stavanger", "specialist"),
    "sus-palliativt": ("sus-palliativt", "Palliativt senter", "specialist"),
    # NGO and regional development centre
    "kreftomsorg": ("kreftomsorg", "Kreftomsorg Rogaland, rådgivning og likepersonsarbeid", "voluntary"),
    "usht": ("usht", "USHT Rogaland", "health_care"),
}

# Managers (leaders). Each leads one or more workplaces (`leads`); `workplace` is their own.
MANAGERS = {
    # Stavanger
    "leder": dict(first_name="Ingrid", last_name="Håland", email="leder@demo.example",
                  phone="+47 51 00 00 10", profession="Virksomhetsleder", workplace="madla",
                  leads=["madla", "stv-barnebolig"]),
    "stv-helse": dict(first_name="Gunnar", last_name="Tveit", email="gunnar.tveit@stavanger.demo.example",
                      phone="+47 51 00 00 11", profession="Virksomhetsleder", workplace="kpt",
                      leads=["kpt", "stv-hjemmesykepleie", "stv-helsestasjon"]),
    "stv-fysio": dict(first_name="Bodil", last_name="Frafjord", email="bodil.frafjord@stavanger.demo.example",
                      phone="+47 51 00 00 12", profession="Virksomhetsleder", workplace="stv-fysio-ergo",
                      leads=["stv-fysio-ergo", "stv-koordinerende"]),
    "stv-oppvekst": dict(first_name="Terje", last_name="Soma", email="terje.soma@stavanger.demo.example",
                         phone="+47 51 00 00 13", profession="Fagsjef oppvekst og utdanning", workplace="stv-ppt",
                         leads=["stv-stokkatunet", "stv-skole", "stv-ppt"]),
    # Sandnes
    "snd-helse": dict(first_name="Randi", last_name="Kverneland", email="randi.kverneland@sandnes.demo.example",
                      phone="+47 51 00 00 14", profession="Virksomhetsleder", workplace="snd-avlastning",
                      leads=["snd-avlastning", "snd-tildeling", "snd-helsestasjon"]),
    "snd-oppvekst": dict(first_name="Geir", last_name="Ånestad", email="geir.anestad@sandnes.demo.example",
                         phone="+47 51 00 00 15", profession="Virksomhetsleder", workplace="snd-ppt",
                         leads=["snd-ppt", "snd-barnehage"]),
    # Sola
    "sola-helse": dict(first_name="Hildegunn", last_name="Vatne", email="hildegunn.vatne@sola.demo.example",
                       phone="+47 51 00 00 16", profession="Virksomhetsleder", workplace="sola-hjemmesykepleie",
                       leads=["sola-hjemmesykepleie", "sola-avlastning"]),
    "sola-oppvekst": dict(first_name="Kjetil", last_name="Røyneberg", email="kjetil.royneberg@sola.demo.example",
                          phone="+47 51 00 00 17", profession="Kommunalsjef oppvekst", workplace="sola-skole",
                          leads=["sola-skole", "sola-barnehage"]),
    # Time
    "time-levekar": dict(first_name="Aud", last_name="Rosland", email="aud.rosland@time.demo.example",
                         phone="+47 51 00 00 18", profession="Kommunalsjef levekår", workplace="time-helsestasjon",
                         leads=["time-helsestasjon", "time-ergo", "time-barnehage"]),
    # Klepp
    "klepp-levekar": dict(first_name="Svein", last_name="Hognestad", email="svein.hognestad@klepp.demo.example",
                          phone="+47 51 00 00 19", profession="Kommunalsjef oppvekst og levekår",
                          workplace="klepp-koordinerende",
                          leads=["klepp-hjemmesykepleie", "klepp-koordinerende", "klepp-skole"]),
    # Hå
    "ha-helse": dict(first_name="Grete", last_name="Varhaug", email="grete.varhaug@ha.demo.example",
                     phone="+47 51 00 00 20", profession="Kommunalsjef helse og omsorg", workplace="ha-avlastning",
                     leads=["ha-avlastning", "ha-fysio"]),
    # Eigersund
    "eig-helse": dict(first_name="Jan Ove", last_name="Slettebø", email="jan.ove.slettebo@eigersund.demo.example",
                      phone="+47 51 00 00 21", profession="Kommunalsjef helse og omsorg",
                      workplace="eig-hjemmesykepleie",
                      leads=["eig-hjemmesykepleie", "eig-helsestasjon", "eig-tildeling"]),
    # Strand
    "strand-helse": dict(first_name="Merete", last_name="Bergsagel", email="merete.bergsagel@strand.demo.example",
                         phone="+47 51 00 00 22", profession="Virksomhetsleder", workplace="strand-hjemmesykepleie",
                         leads=["strand-hjemmesykepleie", "strand-helsestasjon", "strand-fysio-ergo"]),
    # Gjesdal
    "gjesdal-helse": dict(first_name="Leif Arne", last_name="Dirdal", email="leif.arne.dirdal@gjesdal.demo.example",
                          phone="+47 51 00 00 23", profession="Virksomhetsleder", workplace="gjesdal-avlastning",
                          leads=["gjesdal-avlastning", "gjesdal-helsestasjon", "gjesdal-hjemmesykepleie"]),
    # Randaberg
    "randaberg-helse": dict(first_name="Sissel", last_name="Harestad",
                            email="sissel.harestad@randaberg.demo.example", phone="+47 51 00 00 24",
                            profession="Kommunalsjef helse og velferd", workplace="randaberg-tildeling",
                            leads=["randaberg-helsestasjon", "randaberg-tildeling"]),
    # Sokndal
    "sokndal-helse": dict(first_name="Kåre", last_name="Hauge", email="kare.hauge@sokndal.demo.example",
                          phone="+47 51 00 00 25", profession="Kommunalsjef helse og omsorg",
                          workplace="sokndal-hjemmesykepleie",
                          leads=["sokndal-hjemmesykepleie", "sokndal-helsestasjon"]),
    # Lund
    "lund-helse": dict(first_name="Wenche", last_name="Moi", email="wenche.moi@lund.demo.example",
                       phone="+47 51 00 00 26", profession="Kommunalsjef helse og omsorg", workplace="lund-fysio",
                       leads=["lund-fysio"]),
    # Bjerkreim
    "bjerkreim-helse": dict(first_name="Torunn", last_name="Ørsland", email="torunn.orsland@bjerkreim.demo.example",
                            phone="+47 51 00 00 27", profession="Einingsleiar heimetenester",
                            workplace="bjerkreim-hjemmesykepleie", leads=["bjerkreim-hjemmesykepleie"]),
    # Hjelmeland
    "hjelmeland-helse": dict(first_name="Roar", last_name="Vormedal",
                             email="roar.vormedal@hjelmeland.demo.example", phone="+47 51 00 00 28",
                             profession="Einingsleiar helse og omsorg", workplace="hjelmeland-hjemmesykepleie",
                             leads=["hjelmeland-hjemmesykepleie"]),
    # Stavanger universitetssjukehus
    "sus-klinikk": dict(first_name="Cecilie", last_name="Berge", email="cecilie.berge@sus.demo.example",
                        phone="+47 51 00 00 29", profession="Avdelingssjef", workplace="sus-barnepall",
                        leads=["sus-barnepall", "sus-nyfodt", "sus-habu"]),
    "sus-psyk": dict(first_name="Henning", last_name="Kristensen", email="henning.kristensen@sus.demo.example",
                     phone="+47 51 00 00 30", profession="Avdelingssjef", workplace="sus-bup",
                     leads=["sus-bup"]),
    "sus-pall": dict(first_name="Anita", last_name="Vestbø", email="anita.vestbo@sus.demo.example",
                     phone="+47 51 00 00 31", profession="Seksjonsleder", workplace="sus-palliativt",
                     leads=["sus-palliativt"]),
    # Kreftomsorg Rogaland
    "kreftomsorg-leder": dict(first_name="Øyvind", last_name="Mæland", email="oyvind.maeland@kreftomsorg.demo.example",
                              phone="+47 51 00 00 32", profession="Daglig leder", workplace="kreftomsorg",
                              leads=["kreftomsorg"]),
}

# The 56 resource persons of the regional network "barnepalliasjon-sor-rogaland".
RESOURCE_PERSONS = [
    # --- Stavanger (13) ---
    dict(key="ressurs", first_name="Silje", last_name="Øvrebø", email="ressurs@demo.example",
         phone="+47 400 00 001", profession="Sykepleier", workplace="madla", manager="leder",
         position_percent=80, public_consent=True, joined="2022-09-01"),
    dict(key="marte-bore", first_name="Marte", last_name="Bore", email="marte.bore@stavanger.demo.example",
         phone="+47 400 00 002", profession="Vernepleier", workplace="madla", manager="leder",
         position_percent=100, public_consent=True, joined="2022-09-01"),
    dict(key="hanne-skjaeveland", first_name="Hanne", last_name="Skjæveland",
         email="hanne.skjaeveland@stavanger.demo.example", phone="+47 400 00 003", profession="Sykepleier",
         workplace="madla", manager="leder", position_percent=60, public_consent=True, joined="2023-09-01"),
    dict(key="kristoffer-eik", first_name="Kristoffer", last_name="Eik",
         email="kristoffer.eik@stavanger.demo.example", phone="+47 400 00 004", profession="Vernepleier",
         workplace="stv-barnebolig", manager="leder", position_percent=100, public_consent=True,
         joined="2022-09-01"),
    dict(key="lene-stangeland", first_name="Lene", last_name="Stangeland",
         email="lene.stangeland@stavanger.demo.example", phone="+47 400 00 005", profession="Sykepleier",
         workplace="stv-barnebolig", manager="leder", position_percent=50, public_consent=False,
         joined="2024-01-15"),
    dict(key="tone-ravndal", first_name="Tone", last_name="Ravndal", email="tone.ravndal@stavanger.demo.example",
         phone="+47 400 00 006", profession="Kreftkoordinator", workplace="kpt", manager="stv-helse",
         position_percent=100, public_consent=True, joined="2022-09-01"),
    dict(key="ida-egeland", first_name="Ida", last_name="Egeland", email="ida.egeland@stavanger.demo.example",
         phone="+47 400 00 007", profession="Barnekoordinator", workplace="stv-koordinerende", manager="stv-fysio",
         position_percent=100, public_consent=True, joined="2023-01-09"),
    dict(key="eirik-salte", first_name="Eirik", last_name="Salte", email="eirik.salte@stavanger.demo.example",
         phone="+47 400 00 008", profession="Fysioterapeut", workplace="stv-fysio-ergo", manager="stv-fysio",
         position_percent=80, public_consent=True, joined="2022-09-01"),
    dict(key="guro-tungland", first_name="Guro", last_name="Tungland",
         email="guro.tungland@stavanger.demo.example", phone="+47 400 00 009", profession="Ergoterapeut",
         workplace="stv-fysio-ergo", manager="stv-fysio", position_percent=100, public_consent=True,
         joined="2022-09-01"),
    dict(key="kjersti-vigre", first_name="Kjersti", last_name="Vigre",
         email="kjersti.vigre@stavanger.demo.example", phone="+47 400 00 010", profession="Barnehagelærer",
         workplace="stv-stokkatunet", manager="stv-oppvekst", position_percent=100, public_consent=True,
         joined="2022-03-01"),
    dict(key="amina-hassan", first_name="Amina", last_name="Hassan", email="amina.hassan@stavanger.demo.example",
         phone="+47 400 00 011", profession="Spesialpedagog", workplace="stv-stokkatunet", manager="stv-oppvekst",
         position_percent=80, public_consent=False, joined="2024-02-01"),
    dict(key="per-aarsland", first_name="Per", last_name="Aarsland", email="per.aarsland@stavanger.demo.example",
         phone="+47 400 00 012", profession="Spesialpedagog", workplace="stv-skole", manager="stv-oppvekst",
         position_percent=60, public_consent=True, joined="2023-09-01"),
    dict(key="ragnhild-lende", first_name="Ragnhild", last_name="Lende",
         email="ragnhild.lende@stavanger.demo.example", phone="+47 400 00 013", profession="Pedagog",
         workplace="stv-ppt", manager="stv-oppvekst", position_percent=100, public_consent=True,
         joined="2024-08-19"),
    # --- Sandnes (6) ---
    dict(key="mona-hetland", first_name="Mona", last_name="Hetland", email="mona.hetland@sandnes.demo.example",
         phone="+47 400 00 014", profession="Vernepleier", workplace="snd-avlastning", manager="snd-helse",
         position_percent=100, public_consent=True, joined="2022-03-01"),
    dict(key="camilla-thu", first_name="Camilla", last_name="Thu", email="camilla.thu@sandnes.demo.example",
         phone="+47 400 00 015", profession="Barnekoordinator", workplace="snd-tildeling", manager="snd-helse",
         position_percent=100, public_consent=False, joined="2022-10-03"),
    dict(key="solveig-meling", first_name="Solveig", last_name="Meling",
         email="solveig.meling@sandnes.demo.example", phone="+47 400 00 016", profession="Helsesykepleier",
         workplace="snd-helsestasjon", manager="snd-helse", position_percent=70, public_consent=False,
         joined="2023-09-01"),
    dict(key="turid-sele", first_name="Turid", last_name="Sele", email="turid.sele@sandnes.demo.example",
         phone="+47 400 00 017", profession="Spesialpedagog", workplace="snd-ppt", manager="snd-oppvekst",
         position_percent=100, public_consent=True, joined="2022-09-01"),
    dict(key="henrik-fosse", first_name="Henrik", last_name="Fosse", email="henrik.fosse@sandnes.demo.example",
         phone="+47 400 00 018", profession="Pedagog", workplace="snd-ppt", manager="snd-oppvekst",
         position_percent=50, public_consent=True, joined="2024-03-01"),
    dict(key="linn-hovland", first_name="Linn", last_name="Hovland", email="linn.hovland@sandnes.demo.example",
         phone="+47 400 00 019", profession="Barnehagelærer", workplace="snd-barnehage", manager="snd-oppvekst",
         position_percent=100, public_consent=True, joined="2023-08-15", left_days_ago=150),
    # --- Sola (4) ---
    dict(key="nina-kvalvag", first_name="Nina", last_name="Kvalvåg", email="nina.kvalvag@sola.demo.example",
         phone="+47 400 00 020", profession="Sykepleier", workplace="sola-hjemmesykepleie", manager="sola-helse",
         position_percent=80, public_consent=True, joined="2022-09-01"),
    dict(key="ole-risa", first_name="Ole", last_name="Risa", email="ole.risa@sola.demo.example",
         phone="+47 400 00 021", profession="Vernepleier", workplace="sola-avlastning", manager="sola-helse",
         position_percent=100, public_consent=False, joined="2023-02-01"),
    dict(key="marianne-tjotta", first_name="Marianne", last_name="Tjøtta",
         email="marianne.tjotta@sola.demo.example", phone="+47 400 00 022", profession="Spesialpedagog",
         workplace="sola-skole", manager="sola-oppvekst", position_percent=60, public_consent=True,
         joined="2023-09-01"),
    dict(key="elin-austbo", first_name="Elin", last_name="Austbø", email="elin.austbo@sola.demo.example",
         phone="+47 400 00 023", profession="Barnehagelærer", workplace="sola-barnehage", manager="sola-oppvekst",
         position_percent=100, public_consent=True, joined="2024-09-02"),
    # --- Time (3) ---
    dict(key="kari-undheim", first_name="Kari", last_name="Undheim", email="kari.undheim@time.demo.example",
         phone="+47 400 00 024", profession="Helsesykepleier", workplace="time-helsestasjon",
         manager="time-levekar", position_percent=80, public_consent=True, joined="2022-09-01"),
    dict(key="sondre-naerland", first_name="Sondre", last_name="Nærland",
         email="sondre.naerland@time.demo.example", phone="+47 400 00 025", profession="Ergoterapeut",
         workplace="time-ergo", manager="time-levekar", position_percent=100, public_consent=True,
         joined="2023-09-01"),
    dict(key="hilde-jatun", first_name="Hilde", last_name="Jåtun", email="hilde.jatun@time.demo.example",
         phone="+47 400 00 026", profession="Barnehagelærer", workplace="time-barnehage", manager="time-levekar",
         position_percent=100, public_consent=False, joined="2024-02-01"),
    # --- Klepp (3) ---
    dict(key="randi-braut", first_name="Randi", last_name="Braut", email="randi.braut@klepp.demo.example",
         phone="+47 400 00 027", profession="Sykepleier", workplace="klepp-hjemmesykepleie",
         manager="klepp-levekar", position_percent=75, public_consent=False, joined="2022-09-01"),
    dict(key="tor-oftedal", first_name="Tor", last_name="Oftedal", email="tor.oftedal@klepp.demo.example",
         phone="+47 400 00 028", profession="Barnekoordinator", workplace="klepp-koordinerende",
         manager="klepp-levekar", position_percent=100, public_consent=True, joined="2023-01-09"),
    dict(key="synnove-grodem", first_name="Synnøve", last_name="Grødem",
         email="synnove.grodem@klepp.demo.example", phone="+47 400 00 029", profession="Spesialpedagog",
         workplace="klepp-skole", manager="klepp-levekar", position_percent=50, public_consent=True,
         joined="2023-09-01"),
    # --- Hå (2) ---
    dict(key="berit-nesheim", first_name="Berit", last_name="Nesheim", email="berit.nesheim@ha.demo.example",
         phone="+47 400 00 030", profession="Vernepleier", workplace="ha-avlastning", manager="ha-helse",
         position_percent=100, public_consent=True, joined="2022-09-01"),
    dict(key="magnus-soyland", first_name="Magnus", last_name="Søyland", email="magnus.soyland@ha.demo.example",
         phone="+47 400 00 031", profession="Fysioterapeut", workplace="ha-fysio", manager="ha-helse",
         position_percent=100, public_consent=False, joined="2024-01-08"),
    # --- Eigersund (3) ---
    dict(key="liv-bjelland", first_name="Liv", last_name="Bjelland", email="liv.bjelland@eigersund.demo.example",
         phone="+47 400 00 032", profession="Sykepleier", workplace="eig-hjemmesykepleie", manager="eig-helse",
         position_percent=80, public_consent=True, joined="2022-03-01"),
    dict(key="heidi-sirevag", first_name="Heidi", last_name="Sirevåg",
         email="heidi.sirevag@eigersund.demo.example", phone="+47 400 00 033", profession="Helsesykepleier",
         workplace="eig-helsestasjon", manager="eig-helse", position_percent=100, public_consent=True,
         joined="2023-02-01"),
    dict(key="fredrik-ueland", first_name="Fredrik", last_name="Ueland",
         email="fredrik.ueland@eigersund.demo.example", phone="+47 400 00 034", profession="Sosionom",
         workplace="eig-tildeling", manager="eig-helse", position_percent=100, public_consent=True,
         joined="2024-04-02", left_days_ago=150),
    # --- Strand (3) ---
    dict(key="vigdis-fjelde", first_name="Vigdis", last_name="Fjelde", email="vigdis.fjelde@strand.demo.example",
         phone="+47 400 00 035", profession="Sykepleier", workplace="strand-hjemmesykepleie",
         manager="strand-helse", position_percent=80, public_consent=True, joined="2022-10-03"),
    dict(key="lise-helland", first_name="Lise", last_name="Helland", email="lise.helland@strand.demo.example",
         phone="+47 400 00 036", profession="Helsesykepleier", workplace="strand-helsestasjon",
         manager="strand-helse", position_percent=50, public_consent=False, joined="2023-09-01"),
    dict(key="espen-bo", first_name="Espen", last_name="Bø", email="espen.bo@strand.demo.example",
         phone="+47 400 00 037", profession="Ergoterapeut", workplace="strand-fysio-ergo", manager="strand-helse",
         position_percent=100, public_consent=True, joined="2024-02-01", left_days_ago=150),
    # --- Gjesdal (3) ---
    dict(key="anette-byberg", first_name="Anette", last_name="Byberg", email="anette.byberg@gjesdal.demo.example",
         phone="+47 400 00 038", profession="Vernepleier", workplace="gjesdal-avlastning", manager="gjesdal-helse",
         position_percent=100, public_consent=True, joined="2022-09-01"),
    dict(key="trine-skretting", first_name="Trine", last_name="Skretting",
         email="trine.skretting@gjesdal.demo.example", phone="+47 400 00 039", profession="Helsesykepleier",
         workplace="gjesdal-helsestasjon", manager="gjesdal-helse", position_percent=60, public_consent=True,
         joined="2023-02-01"),
    dict(key="arne-gjedrem", first_name="Arne", last_name="Gjedrem", email="arne.gjedrem@gjesdal.demo.example",
         phone="+47 400 00 040", profession="Sykepleier", workplace="gjesdal-hjemmesykepleie",
         manager="gjesdal-helse", position_percent=40, public_consent=True, joined="2024-09-02"),
    # --- Randaberg (2) ---
    dict(key="maria-idsoe", first_name="Maria", last_name="Idsøe", email="maria.idsoe@randaberg.demo.example",
         phone="+47 400 00 041", profession="Helsesykepleier", workplace="randaberg-helsestasjon",
         manager="randaberg-helse", position_percent=80, public_consent=True, joined="2022-09-01"),
    dict(key="jorunn-tjensvold", first_name="Jorunn", last_name="Tjensvold",
         email="jorunn.tjensvold@randaberg.demo.example", phone="+47 400 00 042", profession="Barnekoordinator",
         workplace="randaberg-tildeling", manager="randaberg-helse", position_percent=100, public_consent=False,
         joined="2024-01-15"),
    # --- Sokndal (2) ---
    dict(key="ellen-drange", first_name="Ellen", last_name="Drange", email="ellen.drange@sokndal.demo.example",
         phone="+47 400 00 043", profession="Sykepleier", workplace="sokndal-hjemmesykepleie",
         manager="sokndal-helse", position_percent=100, public_consent=True, joined="2022-10-03"),
    dict(key="kirsten-eia", first_name="Kirsten", last_name="Eia", email="kirsten.eia@sokndal.demo.example",
         phone="+47 400 00 044", profession="Helsesykepleier", workplace="sokndal-helsestasjon",
         manager="sokndal-helse", position_percent=50, public_consent=False, joined="2023-09-01"),
    # --- Lund (1) ---
    dict(key="bente-eike", first_name="Bente", last_name="Eike", email="bente.eike@lund.demo.example",
         phone="+47 400 00 045", profession="Fysioterapeut", workplace="lund-fysio", manager="lund-helse",
         position_percent=60, public_consent=True, joined="2023-02-01"),
    # --- Bjerkreim (1) ---
    dict(key="siri-fotland", first_name="Siri", last_name="Fotland", email="siri.fotland@bjerkreim.demo.example",
         phone="+47 400 00 046", profession="Sykepleier", workplace="bjerkreim-hjemmesykepleie",
         manager="bjerkreim-helse", position_percent=80, public_consent=True, joined="2022-09-01"),
    # --- Hjelmeland (1) ---
    dict(key="oddbjorg-ritland", first_name="Oddbjørg", last_name="Ritland",
         email="oddbjorg.ritland@hjelmeland.demo.example", phone="+47 400 00 047", profession="Sykepleier",
         workplace="hjelmeland-hjemmesykepleie", manager="hjelmeland-helse", position_percent=100,
         public_consent=True, joined="2023-02-01"),
    # --- Stavanger universitetssjukehus, 5 departments (7) ---
    dict(key="sara-larsen", first_name="Sara", last_name="Larsen", email="sara.larsen@sus.demo.example",
         phone="+47 400 00 048", profession="Sykepleier", workplace="sus-barnepall", manager="sus-klinikk",
         position_percent=100, public_consent=True, joined="2022-03-01"),
    dict(key="thomas-nilsen", first_name="Thomas", last_name="Nilsen", email="thomas.nilsen@sus.demo.example",
         phone="+47 400 00 049", profession="Lege", workplace="sus-barnepall", manager="sus-klinikk",
         position_percent=20, public_consent=True, joined="2022-09-01"),
    dict(key="julie-pedersen", first_name="Julie", last_name="Pedersen", email="julie.pedersen@sus.demo.example",
         phone="+47 400 00 050", profession="Sykepleier", workplace="sus-nyfodt", manager="sus-klinikk",
         position_percent=80, public_consent=False, joined="2023-02-01"),
    dict(key="kine-johannessen", first_name="Kine", last_name="Johannessen",
         email="kine.johannessen@sus.demo.example", phone="+47 400 00 051", profession="Fysioterapeut",
         workplace="sus-habu", manager="sus-klinikk", position_percent=100, public_consent=True,
         joined="2022-10-03"),
    dict(key="martin-haugland", first_name="Martin", last_name="Haugland", email="martin.haugland@sus.demo.example",
         phone="+47 400 00 052", profession="Vernepleier", workplace="sus-habu", manager="sus-klinikk",
         position_percent=100, public_consent=False, joined="2024-02-01"),
    dict(key="ingvild-solberg", first_name="Ingvild", last_name="Solberg",
         email="ingvild.solberg@sus.demo.example", phone="+47 400 00 053", profession="Sosionom",
         workplace="sus-bup", manager="sus-psyk", position_percent=50, public_consent=True, joined="2023-09-01"),
    dict(key="gro-kristiansen", first_name="Gro", last_name="Kristiansen",
         email="gro.kristiansen@sus.demo.example", phone="+47 400 00 054", profession="Sykepleier",
         workplace="sus-palliativt", manager="sus-pall", position_percent=60, public_consent=True,
         joined="2024-11-04"),
    # --- Kreftomsorg Rogaland (2) ---
    dict(key="tove-haugen", first_name="Tove", last_name="Haugen", email="tove.haugen@kreftomsorg.demo.example",
         phone="+47 400 00 055", profession="Sykepleier", workplace="kreftomsorg", manager="kreftomsorg-leder",
         position_percent=100, public_consent=True, joined="2022-09-01"),
    dict(key="ahmad-rahimi", first_name="Ahmad", last_name="Rahimi", email="ahmad.rahimi@kreftomsorg.demo.example",
         phone="+47 400 00 056", profession="Sosionom", workplace="kreftomsorg", manager="kreftomsorg-leder",
         position_percent=80, public_consent=False, joined="2024-03-01"),
]

# Working group (arbeidsgruppe): Stavanger, Sandnes, Sola, Eigersund, SUS and Kreftomsorg Rogaland.
WORKING_GROUP = ["kjersti-vigre", "mona-hetland", "nina-kvalvag", "liv-bjelland", "sara-larsen", "tove-haugen"]

# Coordinators of both networks: KPT Stavanger and USHT Rogaland.
COORDINATORS = [
    dict(key="koordinator", first_name="Hege", last_name="Sandvik", email="koordinator@demo.example",
         phone="+47 51 00 00 01", profession="Sykepleier", workplace="kpt", position_percent=100,
         public_consent=True),
    dict(key="usht-koordinator", first_name="Elisabeth", last_name="Vassbotn",
         email="elisabeth.vassbotn@usht.demo.example", phone="+47 51 00 00 02", profession="Sykepleier",
         workplace="usht", position_percent=100, public_consent=True),
]

# The Stavanger resource group ("ressursgruppe-stavanger"): 15 persons, all in Stavanger workplaces.
# Strings are keys of existing RESOURCE_PERSONS; dicts are persons only in this group.
STAVANGER_GROUP = [
    "tone-ravndal",
    "eirik-salte",
    "guro-tungland",
    "kjersti-vigre",
    "ida-egeland",
    dict(key="anne-grete-sunde", first_name="Anne-Grete", last_name="Sunde",
         email="anne-grete.sunde@stavanger.demo.example", phone="+47 400 00 101", profession="Sykepleier",
         workplace="stv-hjemmesykepleie", manager="stv-helse", position_percent=100, public_consent=True,
         joined="2022-09-01"),
    dict(key="bjornar-helgeland", first_name="Bjørnar", last_name="Helgeland",
         email="bjornar.helgeland@stavanger.demo.example", phone="+47 400 00 102", profession="Sykepleier",
         workplace="stv-hjemmesykepleie", manager="stv-helse", position_percent=80, public_consent=True,
         joined="2023-02-01"),
    dict(key="marit-jacobsen", first_name="Marit", last_name="Jacobsen",
         email="marit.jacobsen@stavanger.demo.example", phone="+47 400 00 103", profession="Helsesykepleier",
         workplace="stv-helsestasjon", manager="stv-helse", position_percent=100, public_consent=True,
         joined="2022-09-01"),
    dict(key="sunniva-fjeld", first_name="Sunniva", last_name="Fjeld",
         email="sunniva.fjeld@stavanger.demo.example", phone="+47 400 00 104", profession="Helsesykepleier",
         workplace="stv-helsestasjon", manager="stv-helse", position_percent=60, public_consent=False,
         joined="2024-01-15"),
    dict(key="karoline-wiig", first_name="Karoline", last_name="Wiig",
         email="karoline.wiig@stavanger.demo.example", phone="+47 400 00 105", profession="Vernepleier",
         workplace="madla", manager="leder", position_percent=90, public_consent=True, joined="2022-09-01"),
    dict(key="oystein-lunde", first_name="Øystein", last_name="Lunde",
         email="oystein.lunde@stavanger.demo.example", phone="+47 400 00 106", profession="Vernepleier",
         workplace="stv-barnebolig", manager="leder", position_percent=100, public_consent=True,
         joined="2023-09-01"),
    dict(key="helene-torgersen", first_name="Helene", last_name="Torgersen",
         email="helene.torgersen@stavanger.demo.example", phone="+47 400 00 107", profession="Barnekoordinator",
         workplace="stv-koordinerende", manager="stv-fysio", position_percent=100, public_consent=True,
         joined="2023-01-09"),
    dict(key="rune-steinsland", first_name="Rune", last_name="Steinsland",
         email="rune.steinsland@stavanger.demo.example", phone="+47 400 00 108", profession="Kreftkoordinator",
         workplace="kpt", manager="stv-helse", position_percent=100, public_consent=True, joined="2022-09-01"),
    dict(key="janne-obrestad", first_name="Janne", last_name="Obrestad",
         email="janne.obrestad@stavanger.demo.example", phone="+47 400 00 109", profession="Vernepleier",
         workplace="stv-stokkatunet", manager="stv-oppvekst", position_percent=80, public_consent=True,
         joined="2022-09-01"),
    dict(key="lars-espeland", first_name="Lars", last_name="Espeland",
         email="lars.espeland@stavanger.demo.example", phone="+47 400 00 110", profession="Fysioterapeut",
         workplace="stv-fysio-ergo", manager="stv-fysio", position_percent=70, public_consent=True,
         joined="2024-02-01"),
]

# Registrations waiting for manager confirmation (manager_confirmed=False) or coordinator approval.
PENDING_REGISTRATIONS = [
    dict(first_name="Ingeborg", last_name="Lima", email="ingeborg.lima@time.demo.example",
         phone="+47 400 00 201", profession="Barnehagelærer", workplace="time-barnehage",
         manager_email="aud.rosland@time.demo.example", position_percent=80, public_consent=True,
         manager_confirmed=True),
    dict(first_name="Vegard", last_name="Hansen", email="vegard.hansen@stavanger.demo.example",
         phone="+47 400 00 202", profession="Sykepleier", workplace="stv-hjemmesykepleie",
         manager_email="gunnar.tveit@stavanger.demo.example", position_percent=100, public_consent=True,
         manager_confirmed=True),
    dict(first_name="Hanna", last_name="Gabrielsen", email="hanna.gabrielsen@gjesdal.demo.example",
         phone="+47 400 00 203", profession="Vernepleier", workplace="gjesdal-avlastning",
         manager_email="leif.arne.dirdal@gjesdal.demo.example", position_percent=60, public_consent=False,
         manager_confirmed=False),
]

NETWORKS = {
    "barnepalliasjon-sor-rogaland": dict(
        name="Tverrfaglig nettverk i barnepalliasjon Sør-Rogaland",
        short_name="Barnepalliasjon Sør-Rogaland",
        description=(
            "Tverrfaglig nettverk i barnepalliasjon skal bidra til kompetanseheving og styrke samhandling "
            "på tvers av tjenestene, slik at barn med palliative behov og deres familier opplever trygghet "
            "og mottar tjenester av god kvalitet. Nettverket består av ressurspersoner fra kommunene i "
            "Sør-Rogaland, avdelinger ved Stavanger universitetssjukehus og Kreftomsorg Rogaland, som deler "
            "kunnskapen videre på egen arbeidsplass og i egen kommune. Nettverket driftes av Kommunalt "
            "palliativt team i Stavanger og USHT Rogaland sammen med en tverrfaglig arbeidsgruppe, med to "
            "nettverkssamlinger og to nyhetsbrev i året."
        ),
        contact_email="barnepalliasjon@demo.example",
        region=["1101", "1103", "1108", "1111", "1112", "1114", "1119", "1120", "1121", "1122", "1124",
                "1127", "1130", "1133", "1144"],
        default=True,
    ),
    "ressursgruppe-stavanger": dict(
        name="Ressursgruppe i barnepalliasjon, Stavanger kommune",
        short_name="Ressursgruppe Stavanger",
        description=(
            "Ressursgruppen samler 15 fagpersoner fra virksomheter i Stavanger kommune som møter barn med "
            "palliative behov og deres familier, fra helse og omsorg så vel som barnehage og skole. Gruppen "
            "møtes to ganger i året for faglig påfyll, erfaringsdeling og samarbeid på tvers av virksomhetene. "
            "Kommunalt palliativt team leder gruppen."
        ),
        contact_email="ressursgruppe@demo.example",
        region=["1103"],
        default=False,
    ),
}
