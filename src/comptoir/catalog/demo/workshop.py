"""Professional families of the demo catalog: power and hand tools, fasteners sold by
the box, personal protective equipment, adhesives and chemicals, electrical supplies."""

# ruff: noqa: RUF001 - typographic signs (multiplication sign, en dash) are intended in French text

from __future__ import annotations

from comptoir.catalog.demo.spec import Family, m, v

# fmt: off
# The tables stay one model per line: they read as a catalogue, not as code.
BATTERIES = (
    v("Sans batterie", "Bare tool", batterie="sans"),
    v("Avec 1 batterie 2 Ah et chargeur", "With 1 × 2 Ah battery and charger", "1.45", w=1.3, batterie="1x2ah"),
    v("Avec 2 batteries 4 Ah, chargeur et coffret", "With 2 × 4 Ah batteries, charger and case", "1.95", w=1.9, batterie="2x4ah"),
)
CORDLESS_POINTS_FR = ("Moteur sans charbons", "Compatible avec toutes les batteries Voltis 18 V", "Garantie 3 ans")
CORDLESS_POINTS_EN = ("Brushless motor", "Works with every Voltis 18 V battery", "3-year guarantee")
CORDED_POINTS_FR = ("Câble de 4 m", "Livré en coffret", "Garantie 3 ans")
CORDED_POINTS_EN = ("4 m cable", "Supplied in a carry case", "3-year guarantee")
SCREW_POINTS_FR = ("Pointe autoforeuse, pas de pré-perçage dans le bois tendre", "Filetage partiel pour un serrage parfait", "Embout fourni dans chaque boîte")
SCREW_POINTS_EN = ("Self-drilling tip, no pre-drilling in softwood", "Partial thread for a tight joint", "Driver bit included in every box")
BOX = (v("boîte de 100", "box of 100", quantite=100), v("boîte de 500", "box of 500", "4.2", w=5, pro_only=True, quantite=500))
GLOVE_SIZES = tuple(v(f"Taille {s}", f"Size {s}", taille_gant=f"t{s}") for s in ("7", "8", "9", "10"))
SHOE_SIZES = tuple(v(f"Pointure {s}", f"EU size {s}", pointure=f"p{s}") for s in range(39, 46))
CLOTHES_SIZES = tuple(v(f"Taille {s}", f"Size {s}", taille=s.lower()) for s in ("S", "M", "L", "XL", "XXL"))
CARTRIDGES = (
    v("Cartouche de 300 mL", "300 mL cartridge", contenance=300),
    v("Carton de 12 cartouches", "Box of 12 cartridges", "10.5", w=12, pro_only=True, contenance=300),
)
CANS = (v("1 L", "1 L", contenance=1000), v("5 L", "5 L", "3.9", w=5, contenance=5000))
SAFETY_FR = ("Lire la fiche de données de sécurité avant utilisation", "Tenir hors de portée des enfants")
SAFETY_EN = ("Read the safety data sheet before use", "Keep out of the reach of children")
SWITCH_COLOURS = (
    v("Blanc", "White", couleur="blanc"),
    v("Noir", "Black", couleur="noir", factor="1.1"),
    v("Gris anthracite", "Anthracite grey", couleur="gris-anthracite", factor="1.1"),
)
SCREW_SIZES = (("3,5", "3.5", 0.6, ("6.90", "15.90")), ("4", "4", 0.8, ("7.90", "17.90")), ("5", "5", 1.2, ("9.90", "22.90")), ("6", "6", 1.8, ("12.90", "29.90")))
SCREW_STEELS = (("acier-zingue", "acier zingué", "zinc-plated steel"), ("inox-a2", "inox A2", "A2 stainless steel"))

FAMILIES = (
    Family(
        "PVS", "perceuses", "electroportatif", "{}", "{}", "Voltis",
        "{} : un concentré de puissance et d'autonomie, pour les chantiers comme pour la maison.",
        "{}: power and endurance in a compact body, on site or at home.",
        CORDLESS_POINTS_FR, CORDLESS_POINTS_EN, 1500, (220, 80, 250),
        (
            m("Perceuse-visseuse sans fil 12 V", "12 V cordless drill driver", "79.90", w=0.7, tension=12, sans_fil=True),
            m("Perceuse-visseuse sans fil 18 V", "18 V cordless drill driver", "99.90", tension=18, sans_fil=True),
            m("Perceuse à percussion sans fil 18 V", "18 V cordless combi drill", "129.90", w=1.1, tension=18, sans_fil=True),
            m("Visseuse à chocs sans fil 18 V", "18 V cordless impact driver", "119.90", w=0.9, tension=18, sans_fil=True),
            m("Perforateur SDS-Plus sans fil 18 V", "18 V cordless SDS-Plus rotary hammer", "189.90", w=1.6, tension=18, sans_fil=True),
        ),
        BATTERIES, document="technical_sheet",
    ),
    Family(
        "PVF", "perceuses", "electroportatif", "{}", "{}", "Voltis",
        "{} : la puissance du secteur pour percer le béton, la pierre et l'acier.",
        "{}: mains power to drill concrete, stone and steel.",
        CORDED_POINTS_FR, CORDED_POINTS_EN, 2500, (300, 90, 250),
        (
            m("Perceuse à percussion filaire 750 W", "750 W corded hammer drill", "69.90", w=0.8, tension=230, puissance=750, sans_fil=False),
            m("Perforateur SDS-Plus 800 W", "800 W SDS-Plus rotary hammer", "129.90", tension=230, puissance=800, sans_fil=False),
            m("Burineur SDS-Max 1 500 W", "1,500 W SDS-Max demolition hammer", "349.90", w=2.6, tension=230, puissance=1500, sans_fil=False),
            m("Mélangeur à peinture et mortier 1 200 W", "1,200 W paint and mortar mixer", "139.90", w=1.7, tension=230, puissance=1200, sans_fil=False),
        ),
        document="technical_sheet",
    ),
    Family(
        "SCS", "scies", "electroportatif", "{}", "{}", "Voltis",
        "{} : des coupes nettes, partout, sans câble.",
        "{}: clean cuts anywhere, without a cable.",
        CORDLESS_POINTS_FR, CORDLESS_POINTS_EN, 2600, (350, 220, 250),
        (
            m("Scie circulaire sans fil 18 V Ø 165 mm", "18 V cordless circular saw, Ø 165 mm", "149.90", tension=18, sans_fil=True),
            m("Scie sauteuse sans fil 18 V", "18 V cordless jigsaw", "119.90", w=0.8, tension=18, sans_fil=True),
            m("Scie sabre sans fil 18 V", "18 V cordless reciprocating saw", "139.90", w=1.1, tension=18, sans_fil=True),
            m("Outil multifonction oscillant sans fil 18 V", "18 V cordless oscillating multi-tool", "109.90", w=0.6, tension=18, sans_fil=True),
        ),
        BATTERIES, document="technical_sheet",
    ),
    Family(
        "SCF", "scies", "electroportatif", "{}", "{}", "Voltis",
        "{} : précision et puissance pour l'atelier.",
        "{}: precision and power for the workshop.",
        CORDED_POINTS_FR, CORDED_POINTS_EN, 4500, (400, 300, 280),
        (
            m("Scie circulaire 1 400 W Ø 190 mm", "1,400 W circular saw, Ø 190 mm", "109.90", tension=230, puissance=1400, sans_fil=False),
            m("Scie sauteuse pendulaire 650 W", "650 W pendulum jigsaw", "64.90", w=0.5, tension=230, puissance=650, sans_fil=False),
            m("Scie à onglet radiale 1 800 W Ø 254 mm", "1,800 W sliding mitre saw, Ø 254 mm", "279.90", w=4, tension=230, puissance=1800, sans_fil=False),
        ),
        document="technical_sheet",
    ),
    Family(
        "PON", "ponceuses-meuleuses", "electroportatif", "{}", "{}", "Voltis",
        "{} : un travail régulier et peu de vibrations, pour finir proprement.",
        "{}: steady work and low vibration for a clean finish.",
        CORDED_POINTS_FR, CORDED_POINTS_EN, 2000, (300, 120, 150),
        (
            m("Meuleuse d'angle 125 mm 900 W", "900 W angle grinder, 125 mm", "59.90", tension=230, puissance=900, sans_fil=False),
            m("Meuleuse d'angle 230 mm 2 200 W", "2,200 W angle grinder, 230 mm", "119.90", w=2.6, tension=230, puissance=2200, sans_fil=False),
            m("Ponceuse excentrique 125 mm 350 W", "350 W random orbital sander, 125 mm", "74.90", w=0.8, tension=230, puissance=350, sans_fil=False),
            m("Ponceuse vibrante 1/4 de feuille 220 W", "220 W 1/4-sheet palm sander", "44.90", w=0.6, tension=230, puissance=220, sans_fil=False),
            m("Ponceuse à bande 900 W", "900 W belt sander", "99.90", w=1.7, tension=230, puissance=900, sans_fil=False),
            m("Rabot électrique 750 W", "750 W electric planer", "89.90", w=1.4, tension=230, puissance=750, sans_fil=False),
            m("Décapeur thermique 2 000 W", "2,000 W heat gun", "39.90", w=0.4, tension=230, puissance=2000, sans_fil=False),
        ),
        document="technical_sheet",
    ),
    Family(
        "MSF", "ponceuses-meuleuses", "electroportatif", "{}", "{}", "Voltis",
        "{} : la liberté du sans-fil pour couper et meuler sur chantier.",
        "{}: cordless freedom to cut and grind on site.",
        CORDLESS_POINTS_FR, CORDLESS_POINTS_EN, 2200, (330, 120, 140),
        (
            m("Meuleuse d'angle sans fil 18 V 125 mm", "18 V cordless angle grinder, 125 mm", "129.90", tension=18, sans_fil=True),
            m("Ponceuse excentrique sans fil 18 V", "18 V cordless random orbital sander", "119.90", w=0.7, tension=18, sans_fil=True),
        ),
        BATTERIES, document="technical_sheet",
    ),
    Family(
        "CLE", "tournevis-cles", "outil-main", "{}", "{}", "Forgeval",
        "{} en acier chrome-vanadium, pour l'atelier comme pour la caisse d'intervention.",
        "{} in chrome-vanadium steel, for the workshop or the service kit.",
        ("Garantie à vie", "Finition chromée anti-corrosion"),
        ("Lifetime guarantee", "Corrosion-resistant chrome finish"),
        600, (250, 120, 40),
        (
            m("Jeu de tournevis, 6 pièces", "6-piece screwdriver set", "24.90", matiere="acier"),
            m("Jeu de tournevis isolés 1 000 V, 7 pièces", "7-piece 1,000 V insulated screwdriver set", "39.90", matiere="acier"),
            m("Jeu de clés mixtes de 8 à 19 mm, 12 pièces", "12-piece combination spanner set, 8–19 mm", "49.90", w=2.5, matiere="acier"),
            m("Clé à molette 250 mm", "250 mm adjustable wrench", "19.90", w=0.6, matiere="acier", longueur=250),
            m("Coffret de douilles 1/4\" et 1/2\", 94 pièces", "94-piece 1/4\" and 1/2\" socket set", "89.90", w=8, matiere="acier"),
            m("Jeu de clés Torx coudées, 9 pièces", "9-piece L-shaped Torx key set", "14.90", w=0.4, matiere="acier"),
            m("Jeu de clés hexagonales, 9 pièces", "9-piece hex key set", "12.90", w=0.4, matiere="acier"),
        ),
    ),
    Family(
        "FRP", "frappe-coupe", "outil-main", "{}", "{}", "Forgeval",
        "{} : l'outil de base de tout établi, équilibré et durable.",
        "{}: a workbench essential, well balanced and durable.",
        ("Acier forgé trempé", "Poignée bi-matière antidérapante"),
        ("Hardened forged steel", "Non-slip two-material grip"),
        700, (330, 120, 40),
        (
            m("Marteau de menuisier 500 g", "500 g claw hammer", "19.90", matiere="acier", longueur=330),
            m("Massette 1 250 g", "1,250 g club hammer", "24.90", w=1.8, matiere="acier", longueur=270),
            m("Maillet en caoutchouc", "Rubber mallet", "12.90", w=0.8, matiere="hetre", longueur=320),
            m("Cutter à lame rétractable 18 mm", "18 mm retractable utility knife", "9.90", w=0.2, matiere="aluminium", longueur=165),
            m("Scie égoïne 500 mm", "500 mm hand saw", "22.90", w=0.8, matiere="acier", longueur=500),
            m("Pince multiprise 250 mm", "250 mm water pump pliers", "21.90", w=0.5, matiere="acier", longueur=250),
            m("Pince coupante diagonale 160 mm", "160 mm diagonal cutting pliers", "17.90", w=0.3, matiere="acier", longueur=160),
            m("Ciseaux à bois, jeu de 4", "Set of 4 wood chisels", "34.90", w=1.2, matiere="acier"),
        ),
    ),
    Family(
        "MES", "mesure-tracage", "outil-main", "{}", "{}", "Forgeval",
        "{} : mesurer juste, tracer droit.",
        "{}: measure right, mark straight.",
        ("Précision contrôlée en usine",),
        ("Factory-checked accuracy",),
        400, (300, 80, 40),
        (
            m("Mètre ruban 5 m", "5 m tape measure", "11.90", matiere="acier", longueur=5000),
            m("Mètre ruban 8 m", "8 m tape measure", "16.90", w=1.3, matiere="acier", longueur=8000),
            m("Niveau à bulle en aluminium 60 cm", "60 cm aluminium spirit level", "19.90", w=1.5, matiere="aluminium", longueur=600),
            m("Niveau à bulle en aluminium 120 cm", "120 cm aluminium spirit level", "32.90", w=2.6, matiere="aluminium", longueur=1200),
            m("Équerre de menuisier 300 mm", "300 mm carpenter's square", "14.90", matiere="acier", longueur=300),
            m("Télémètre laser 40 m", "40 m laser distance meter", "59.90", w=0.4, matiere="polycarbonate"),
            m("Niveau laser croix autonivelant", "Self-levelling cross-line laser", "129.90", w=1.3, matiere="polycarbonate"),
            m("Crayons de charpentier, lot de 12", "Carpenter's pencils, pack of 12", "6.90", w=0.3, matiere="hetre", longueur=240),
        ),
    ),
    Family(
        "RGO", "rangement-outils", "rangement", "{}", "{}", "Forgeval",
        "{} : tout l'outillage rangé, protégé et à portée de main.",
        "{}: every tool stored, protected and within reach.",
        ("Tôle d'acier laquée époxy", "Fermetures métalliques"),
        ("Epoxy-coated sheet steel", "Metal catches"),
        5000, (500, 220, 250),
        (
            m("Caisse à outils en métal, 5 compartiments", "5-compartment metal tool box", "39.90", model_3d=True, matiere="acier", dimensions="50 × 22 × 25 cm"),
            m("Servante d'atelier, 7 tiroirs", "7-drawer workshop trolley", "349.90", w=12, model_3d=True, matiere="acier", dimensions="68 × 46 × 86 cm"),
            m("Boîte à compartiments amovibles", "Organiser box with removable bins", "14.90", w=0.2, matiere="polypropylene", dimensions="39 × 29 × 6 cm"),
            m("Établi pliant", "Folding workbench", "89.90", w=3, matiere="acier", dimensions="100 × 60 × 85 cm"),
        ),
        (v("Rouge", "Red", couleur="rouge"), v("Bleu", "Blue", couleur="bleu")),
    ),
    Family(
        "VBZ", "vis", "fixation", "Vis à bois tête fraisée Torx {}", "Countersunk Torx wood screws, {}", "Fixalp",
        "{} : la vis universelle de la menuiserie et de l'agencement.",
        "{}: the all-round screw for joinery and fitting.",
        SCREW_POINTS_FR, SCREW_POINTS_EN, 500, (120, 80, 50),
        tuple(
            m(f"Ø {d_fr} mm, {mat_fr}", f"Ø {d_en} mm, {mat_en}", price, w=weight, matiere=mat, diametre=d_en, empreinte="torx")
            for d_fr, d_en, weight, prices in SCREW_SIZES
            for (mat, mat_fr, mat_en), price in zip(SCREW_STEELS, prices, strict=True)
        ),
        (
            v("30 mm, boîte de 200", "30 mm, box of 200", longueur=30, quantite=200),
            v("40 mm, boîte de 200", "40 mm, box of 200", "1.15", w=1.3, longueur=40, quantite=200),
            v("50 mm, boîte de 100", "50 mm, box of 100", "0.75", w=0.8, longueur=50, quantite=100),
            v("60 mm, boîte de 100", "60 mm, box of 100", "0.85", w=1, longueur=60, quantite=100),
            v("40 mm, carton de 2 000", "40 mm, carton of 2,000", "9", w=13, pro_only=True, longueur=40, quantite=2000),
        ),
        document="technical_sheet",
    ),
    Family(
        "VTE", "vis", "fixation", "Vis pour terrasse {}", "Decking screws, {}", "Fixalp",
        "{} : tête réduite et filetage anti-fendage pour les lames de terrasse en bois.",
        "{}: small head and anti-split thread for timber decking boards.",
        ("Résiste aux bois tanniques", "Embout Torx T25 fourni"),
        ("Resists tannin-rich timber", "Torx T25 bit included"),
        1100, (140, 90, 60),
        (
            m("Ø 5 mm, inox A2", "Ø 5 mm, A2 stainless steel", "24.90", matiere="inox-a2", diametre=5, empreinte="torx"),
            m("Ø 5 mm, inox A4 (bord de mer)", "Ø 5 mm, A4 stainless steel (seaside)", "34.90", matiere="inox-a4", diametre=5, empreinte="torx"),
        ),
        (
            v("50 mm, boîte de 200", "50 mm, box of 200", longueur=50, quantite=200),
            v("60 mm, boîte de 200", "60 mm, box of 200", "1.15", w=1.2, longueur=60, quantite=200),
            v("70 mm, boîte de 100", "70 mm, box of 100", "0.7", w=0.7, longueur=70, quantite=100),
        ),
        document="technical_sheet",
    ),
    Family(
        "VPP", "vis", "fixation", "Vis pour plaque de plâtre {}", "Drywall screws, {}", "Fixalp",
        "{} : phosphatées noires, pour fixer les plaques sur ossature métallique ou bois.",
        "{}: black phosphated, to fix boards to metal or timber studs.",
        ("Tête trompette", "Pointe aiguille"),
        ("Bugle head", "Needle point"),
        1500, (150, 100, 70),
        tuple(
            m(f"3,5 × {length} mm", f"3.5 × {length} mm", price, w=weight, matiere="acier", diametre="3.5", empreinte="pozidriv")
            for length, price, weight in ((25, "9.90", 0.8), (35, "11.90", 1), (45, "13.90", 1.2))
        ),
        (
            v("boîte de 500", "box of 500", quantite=500),
            v("boîte de 1 000", "box of 1,000", "1.8", w=2, quantite=1000),
        ),
    ),
    Family(
        "CHN", "chevilles", "fixation", "Cheville nylon universelle {}", "Universal nylon wall plugs, {}", "Fixalp",
        "{} : pour tous les matériaux, pleins ou creux.",
        "{}: for every wall material, solid or hollow.",
        ("Collerette anti-rotation", "Nylon PA6 haute résistance"),
        ("Anti-rotation collar", "High-strength PA6 nylon"),
        300, (120, 80, 50),
        (
            m("Ø 6 mm", "Ø 6 mm", "5.90", matiere="nylon", diametre=6),
            m("Ø 8 mm", "Ø 8 mm", "7.90", w=1.5, matiere="nylon", diametre=8),
            m("Ø 10 mm", "Ø 10 mm", "10.90", w=2.2, matiere="nylon", diametre=10),
        ),
        BOX,
    ),
    Family(
        "MOL", "chevilles", "fixation", "Cheville à expansion pour plaque de plâtre {}", "Hollow wall anchors, {}", "Fixalp",
        "{} : tient les charges lourdes dans les cloisons creuses.",
        "{}: holds heavy loads in hollow partitions.",
        ("Pose à la pince ou au tournevis", "Vis fournie"),
        ("Set with a setting tool or a screwdriver", "Screw supplied"),
        600, (120, 80, 50),
        (
            m("M4 × 32 mm", "M4 × 32 mm", "12.90", matiere="acier-zingue", diametre=8),
            m("M5 × 37 mm", "M5 × 37 mm", "14.90", w=1.3, matiere="acier-zingue", diametre=10),
            m("M6 × 45 mm", "M6 × 45 mm", "17.90", w=1.6, matiere="acier-zingue", diametre=12),
        ),
        (v("boîte de 25", "box of 25", quantite=25), v("boîte de 100", "box of 100", "3.4", w=4, quantite=100)),
    ),
    Family(
        "GOU", "chevilles", "fixation", "Goujon d'ancrage {}", "Wedge anchors, {}", "Fixalp",
        "{} : ancrage métallique pour béton plein, charges lourdes.",
        "{}: steel anchor for solid concrete and heavy loads.",
        ("Évaluation technique européenne (ETE)", "Écrou et rondelle fournis"),
        ("European Technical Assessment (ETA)", "Nut and washer supplied"),
        1000, (150, 100, 60),
        (
            m("M8 × 75 mm, acier zingué", "M8 × 75 mm, zinc-plated steel", "14.90", matiere="acier-zingue", diametre=8),
            m("M10 × 90 mm, acier zingué", "M10 × 90 mm, zinc-plated steel", "19.90", w=1.6, matiere="acier-zingue", diametre=10),
            m("M12 × 110 mm, acier zingué", "M12 × 110 mm, zinc-plated steel", "27.90", w=2.5, matiere="acier-zingue", diametre=12),
            m("M10 × 90 mm, inox A4", "M10 × 90 mm, A4 stainless steel", "54.90", w=1.6, matiere="inox-a4", diametre=10),
        ),
        (v("boîte de 10", "box of 10", quantite=10), v("boîte de 50", "box of 50", "4.3", w=5, pro_only=True, quantite=50)),
        document="technical_sheet",
    ),
    Family(
        "BLN", "boulonnerie", "fixation", "Boulon tête hexagonale classe 8.8 {}", "Grade 8.8 hex head bolts, {}", "Fixalp",
        "{} : filetage partiel, acier haute résistance zingué, avec écrou.",
        "{}: part-threaded high-tensile zinc-plated steel, with nuts.",
        ("Norme ISO 4014", "Écrous ISO 4032 fournis"),
        ("ISO 4014 standard", "ISO 4032 nuts supplied"),
        800, (150, 100, 60),
        tuple(
            m(f"M{d}", f"M{d}", price, w=weight, matiere="acier-zingue", diametre=d, empreinte="six-pans")
            for d, price, weight in ((6, "8.90", 0.5), (8, "11.90", 1), (10, "16.90", 1.6), (12, "22.90", 2.4))
        ),
        (
            v("30 mm, boîte de 50", "30 mm, box of 50", longueur=30, quantite=50),
            v("50 mm, boîte de 25", "50 mm, box of 25", "0.8", w=0.8, longueur=50, quantite=25),
            v("80 mm, boîte de 25", "80 mm, box of 25", "1.05", w=1.2, longueur=80, quantite=25),
        ),
        document="technical_sheet",
    ),
    Family(
        "ECR", "boulonnerie", "fixation", "Écrous hexagonaux inox A2 {}", "A2 stainless steel hex nuts, {}", "Fixalp",
        "{} : pour les assemblages exposés à l'humidité.",
        "{}: for joints exposed to moisture.",
        ("Norme ISO 4032",),
        ("ISO 4032 standard",),
        400, (120, 80, 50),
        tuple(
            m(f"M{d}", f"M{d}", price, w=weight, matiere="inox-a2", diametre=d, empreinte="six-pans")
            for d, price, weight in ((6, "6.90", 0.5), (8, "8.90", 1), (10, "12.90", 1.7), (12, "16.90", 2.6))
        ),
        BOX,
    ),
    Family(
        "TIG", "boulonnerie", "fixation", "Tige filetée {}, longueur 1 m", "Threaded rod, {}, 1 m long", "Fixalp",
        "{} : à couper à la longueur voulue pour suspentes et scellements.",
        "{}: cut to length for hangers and anchoring.",
        ("Classe 4.6", "Norme DIN 976"),
        ("Grade 4.6", "DIN 976 standard"),
        400, (1000, 12, 12),
        (
            m("M8, acier zingué", "M8, zinc-plated steel", "3.90", matiere="acier-zingue", diametre=8),
            m("M10, acier zingué", "M10, zinc-plated steel", "5.50", w=1.6, matiere="acier-zingue", diametre=10),
            m("M12, acier zingué", "M12, zinc-plated steel", "7.90", w=2.2, matiere="acier-zingue", diametre=12),
            m("M10, inox A2", "M10, A2 stainless steel", "14.90", w=1.6, matiere="inox-a2", diametre=10),
        ),
        (
            v("À l'unité", "Single rod", longueur=1000, quantite=1),
            v("Botte de 10", "Bundle of 10", "9.2", w=10, pro_only=True, longueur=1000, quantite=10),
        ),
    ),
    Family(
        "GAN", "gants", "gant", "{}", "{}", "Protéa",
        "{} : protection et dextérité pour la manutention au quotidien.",
        "{}: protection and dexterity for everyday handling.",
        ("Vendu par paire", "Marquage CE, EPI catégorie II"),
        ("Sold by the pair", "CE marked, category II PPE"),
        100, (260, 120, 20),
        (
            m("Gants de manutention en cuir", "Leather handling gloves", "5.90", matiere="cuir", norme="EN 388:2016 3122X"),
            m("Gants enduits nitrile", "Nitrile-coated work gloves", "3.90", w=0.6, matiere="nitrile", norme="EN 388:2016 4121X"),
            m("Gants anti-coupure niveau C", "Cut-resistant gloves, level C", "9.90", w=0.8, matiere="nitrile", norme="EN 388:2016 4X43C"),
            m("Gants de protection chimique", "Chemical protection gloves", "8.90", w=1.2, matiere="nitrile", norme="EN ISO 374-1:2016 type A"),
            m("Gants d'hiver isolants", "Insulated winter work gloves", "11.90", w=1.5, matiere="nylon", norme="EN 511:2006"),
        ),
        GLOVE_SIZES, document="certificate",
    ),
    Family(
        "GJE", "gants", "gant", "{}", "{}", "Protéa",
        "{} : non poudrés, ambidextres, pour le nettoyage et la peinture.",
        "{}: powder free, ambidextrous, for cleaning and painting.",
        ("Boîte distributrice", "Sans latex"),
        ("Dispenser box", "Latex free"),
        600, (240, 125, 65),
        (m("Gants jetables en nitrile, boîte de 100", "Disposable nitrile gloves, box of 100", "12.90", matiere="nitrile", norme="EN ISO 374-5:2016"),),
        GLOVE_SIZES[:3], document="certificate",
    ),
    Family(
        "PRT", "protection-tete", "epi", "{}", "{}", "Protéa",
        "{} : confort toute la journée et protection certifiée.",
        "{}: comfort all day and certified protection.",
        ("Marquage CE", "Taille unique réglable"),
        ("CE marked", "One adjustable size"),
        150, (200, 150, 80),
        (
            m("Lunettes de protection incolores", "Clear safety glasses", "4.90", w=0.3, norme="EN 166 1FT", couleur="transparent"),
            m("Lunettes-masque étanches", "Sealed safety goggles", "12.90", w=0.6, norme="EN 166 3 4 B", couleur="transparent"),
            m("Casque antibruit 30 dB", "30 dB ear defenders", "19.90", w=1.6, norme="EN 352-1 SNR 30 dB", couleur="rouge"),
            m("Bouchons d'oreilles, boîte de 200 paires", "Earplugs, box of 200 pairs", "29.90", w=4, norme="EN 352-2 SNR 37 dB", couleur="jaune-fluo"),
            m("Masques FFP2, boîte de 20", "FFP2 masks, box of 20", "19.90", w=1.5, norme="EN 149+A1 FFP2 NR", couleur="blanc"),
            m("Masques FFP3 à valve, boîte de 10", "FFP3 valved masks, box of 10", "24.90", w=1.5, norme="EN 149+A1 FFP3 NR D", couleur="blanc"),
            m("Demi-masque avec filtres A2P3", "Half mask with A2P3 filters", "39.90", w=2.5, norme="EN 140 + EN 14387", couleur="gris-anthracite"),
            m("Casque de chantier ventilé", "Vented safety helmet", "14.90", w=2.4, norme="EN 397", couleur="blanc"),
        ),
        document="certificate",
    ),
    Family(
        "CHS", "vetements-chaussures", "chaussure", "{}", "{}", "Protéa",
        "{} : embout et semelle anti-perforation composites, sans métal.",
        "{}: composite toe cap and anti-penetration midsole, metal free.",
        ("Semelle antidérapante SRC", "Légère et respirante"),
        ("SRC slip-resistant sole", "Light and breathable"),
        1200, (330, 220, 130),
        (
            m("Chaussures de sécurité basses S3", "S3 low-cut safety shoes", "59.90", norme="EN ISO 20345:2011 S3 SRC"),
            m("Chaussures de sécurité montantes S3", "S3 safety boots", "79.90", w=1.3, norme="EN ISO 20345:2011 S3 SRC"),
            m("Bottes de sécurité en PVC S5", "S5 PVC safety wellingtons", "34.90", w=1.8, norme="EN ISO 20345:2011 S5 SRA"),
        ),
        SHOE_SIZES, document="certificate",
    ),
    Family(
        "VET", "vetements-chaussures", "epi", "{}", "{}", "Protéa",
        "{} : coupe confortable et tissus résistants pour les journées de chantier.",
        "{}: a comfortable fit and tough fabrics for long days on site.",
        ("Lavable à 60 °C", "Bandes rétroréfléchissantes"),
        ("Washable at 60 °C", "Retro-reflective tape"),
        500, (350, 300, 40),
        (
            m("Gilet haute visibilité", "High-visibility vest", "4.90", w=0.3, norme="EN ISO 20471 classe 2", couleur="jaune-fluo"),
            m("Pantalon de travail multipoches", "Multi-pocket work trousers", "39.90", w=1.4, norme="EN 14404 type 2", couleur="gris-anthracite"),
            m("Veste softshell de travail", "Work softshell jacket", "49.90", w=1.6, norme="EN 14058", couleur="noir"),
            m("Combinaison jetable type 5/6", "Type 5/6 disposable coverall", "6.90", w=0.5, norme="EN ISO 13982-1 / EN 13034", couleur="blanc"),
        ),
        CLOTHES_SIZES, document="certificate",
    ),
    Family(
        "COL", "colles", "chimie", "{}", "{}", "Chimitec",
        "{} : un collage fiable, pour l'atelier comme pour le chantier.",
        "{}: reliable bonding, in the workshop or on site.",
        SAFETY_FR, SAFETY_EN, 800, (90, 90, 180),
        (
            m("Colle à bois vinylique D3", "D3 PVA wood glue", "8.90", mention_danger=None),
            m("Colle polyuréthane D4", "D4 polyurethane glue", "14.90", mention_danger="attention"),
            m("Colle de contact néoprène", "Neoprene contact adhesive", "12.90", mention_danger="danger"),
            m("Colle époxy bi-composant", "Two-part epoxy adhesive", "11.90", w=0.3, mention_danger="attention"),
        ),
        (
            v("250 mL", "250 mL", contenance=250),
            v("750 mL", "750 mL", "2.2", w=3, contenance=750),
            v("5 L", "5 L", "9.5", w=18, pro_only=True, contenance=5000),
        ),
        document="safety_data_sheet",
    ),
    Family(
        "MAS", "mastics", "chimie", "{}", "{}", "Chimitec",
        "{} : application au pistolet, lissage facile, tenue durable.",
        "{}: gun-applied, easy to tool, long-lasting.",
        SAFETY_FR, SAFETY_EN, 400, (290, 50, 50),
        (
            m("Silicone sanitaire anti-moisissure blanc", "White anti-mould sanitary silicone", "8.90", mention_danger=None),
            m("Silicone sanitaire anti-moisissure transparent", "Clear anti-mould sanitary silicone", "8.90", mention_danger=None),
            m("Mastic acrylique pour joints", "Acrylic joint sealant", "5.90", mention_danger=None),
            m("Mastic-colle MS polymère", "MS polymer sealant and adhesive", "12.90", mention_danger=None),
            m("Scellement chimique polyester", "Polyester chemical anchor resin", "19.90", mention_danger="attention"),
        ),
        CARTRIDGES, document="safety_data_sheet",
    ),
    Family(
        "MOU", "mastics", "chimie", "{}", "{}", "Chimitec",
        "{} : remplit, isole et colle en une seule opération.",
        "{}: fills, insulates and bonds in one go.",
        SAFETY_FR, SAFETY_EN, 900, (300, 70, 70),
        (
            m("Mousse polyuréthane expansive", "Expanding polyurethane foam", "9.90", mention_danger="danger"),
            m("Mousse coupe-feu", "Fire-rated expanding foam", "19.90", mention_danger="danger"),
        ),
        (
            v("Aérosol de 750 mL", "750 mL can", contenance=750),
            v("Carton de 12 aérosols", "Box of 12 cans", "10.5", w=12, pro_only=True, contenance=750),
        ),
        document="safety_data_sheet",
    ),
    Family(
        "NET", "nettoyants-lubrifiants", "chimie", "{}", "{}", "Chimitec",
        "{} : efficace sur les graisses, huiles et résidus d'atelier.",
        "{}: effective on grease, oil and workshop residues.",
        SAFETY_FR, SAFETY_EN, 1000, (100, 100, 250),
        (
            m("Dégraissant industriel", "Industrial degreaser", "11.90", mention_danger="attention"),
            m("Acétone", "Acetone", "9.90", mention_danger="danger"),
            m("White-spirit", "White spirit", "7.90", mention_danger="danger"),
            m("Alcool isopropylique", "Isopropyl alcohol", "12.90", mention_danger="danger"),
        ),
        CANS, document="safety_data_sheet",
    ),
    Family(
        "LUB", "nettoyants-lubrifiants", "chimie", "{}", "{}", "Chimitec",
        "{} : protège et fait glisser, là où il faut.",
        "{}: protects and lubricates exactly where needed.",
        SAFETY_FR, SAFETY_EN, 450, (65, 65, 220),
        (
            m("Dégrippant multifonction", "Multi-purpose penetrating oil", "7.90", mention_danger="danger"),
            m("Lubrifiant silicone", "Silicone spray lubricant", "9.90", mention_danger="danger"),
            m("Graisse au lithium", "Lithium grease", "8.90", mention_danger=None),
            m("Nettoyant mains d'atelier", "Workshop hand cleaner", "6.90", mention_danger=None),
        ),
        (
            v("400 mL", "400 mL", contenance=400),
            v("Carton de 12", "Box of 12", "10.5", w=12, pro_only=True, contenance=400),
        ),
        document="safety_data_sheet",
    ),
    Family(
        "FIL", "cables", "cable", "Fil électrique rigide H07V-U {}", "H07V-U solid wire, {}", "Elektra",
        "{} : conducteur cuivre pour le câblage sous conduit.",
        "{}: copper conductor for wiring in conduit.",
        ("Norme NF C 32-201", "Couronne de 100 m"),
        ("NF C 32-201 standard", "100 m coil"),
        1500, (250, 250, 60),
        (
            m("1,5 mm²", "1.5 mm²", "24.90", section="1.5"),
            m("2,5 mm²", "2.5 mm²", "39.90", w=1.6, section="2.5"),
            m("6 mm²", "6 mm²", "89.90", w=3.8, section=6),
        ),
        (
            v("Bleu, 100 m", "Blue, 100 m", couleur="bleu", longueur=100000),
            v("Rouge, 100 m", "Red, 100 m", couleur="rouge", longueur=100000),
            v("Noir, 100 m", "Black, 100 m", couleur="noir", longueur=100000),
            v("Vert/jaune, 100 m", "Green/yellow, 100 m", couleur="vert-jaune", longueur=100000),
        ),
        document="technical_sheet",
    ),
    Family(
        "R2V", "cables", "cable", "Câble R2V {}", "R2V cable, {}", "Elektra",
        "{} : câble rigide pour installations fixes, pose apparente ou enterrée sous fourreau.",
        "{}: rigid cable for fixed installations, surface-run or buried in ducting.",
        ("Norme NF C 32-321",),
        ("NF C 32-321 standard",),
        4000, (300, 300, 100),
        (
            m("3G1,5 mm²", "3G1.5 mm²", "34.90", section="1.5"),
            m("3G2,5 mm²", "3G2.5 mm²", "49.90", w=1.5, section="2.5"),
            m("5G6 mm²", "5G6 mm²", "189.90", w=4, section=6),
        ),
        (
            v("25 m", "25 m", couleur="noir", longueur=25000),
            v("50 m", "50 m", "1.9", w=2, couleur="noir", longueur=50000),
            v("100 m", "100 m", "3.6", w=4, pro_only=True, couleur="noir", longueur=100000),
        ),
        document="technical_sheet",
    ),
    Family(
        "APP", "appareillage", "appareillage", "{}", "{}", "Elektra",
        "{} : mécanisme à bornes automatiques et plaque de finition incluse.",
        "{}: push-in terminals and cover plate included.",
        ("Montage sur boîte d'encastrement Ø 67 mm", "Norme NF"),
        ("Fits Ø 67 mm flush boxes", "NF certified"),
        120, (85, 85, 45),
        (
            m("Interrupteur va-et-vient", "Two-way light switch", "6.90", indice_ip="IP20"),
            m("Prise de courant 2P+T", "2P+E socket outlet", "7.90", indice_ip="IP20"),
            m("Double prise de courant 2P+T", "Double 2P+E socket outlet", "13.90", w=1.8, indice_ip="IP20"),
            m("Prise RJ45 catégorie 6", "Cat 6 RJ45 data socket", "12.90", indice_ip="IP20"),
            m("Bouton-poussoir", "Push button", "7.50", indice_ip="IP20"),
            m("Variateur rotatif LED", "Rotary LED dimmer", "29.90", indice_ip="IP20"),
        ),
        SWITCH_COLOURS,
    ),
    Family(
        "RAL", "appareillage", "appareillage", "{}", "{}", "Elektra",
        "{} : pour alimenter l'outillage en toute sécurité.",
        "{}: to power tools safely.",
        ("Protection enfants", "Câble H05VV-F 3G1,5 mm²"),
        ("Child-proof shutters", "H05VV-F 3G1.5 mm² cable"),
        1500, (300, 200, 100),
        (
            m("Multiprise 5 prises avec interrupteur", "5-socket power strip with switch", "19.90", w=0.4, indice_ip="IP20"),
            m("Rallonge électrique 10 m", "10 m extension lead", "19.90", indice_ip="IP20"),
            m("Enrouleur de chantier 40 m", "40 m site cable reel", "69.90", w=6, indice_ip="IP44"),
            m("Prise étanche en saillie", "Surface-mounted weatherproof socket", "14.90", w=0.2, indice_ip="IP55"),
        ),
        document="technical_sheet",
    ),
    Family(
        "DIS", "protection-electrique", "appareillage", "{}", "{}", "Elektra",
        "{} : pour un tableau conforme à la norme NF C 15-100.",
        "{}: for a consumer unit compliant with NF C 15-100.",
        ("Montage sur rail DIN", "Bornes à vis"),
        ("DIN rail mounting", "Screw terminals"),
        150, (90, 20, 80),
        (
            m("Disjoncteur modulaire 16 A courbe C", "16 A type C miniature circuit breaker", "8.90"),
            m("Disjoncteur modulaire 20 A courbe C", "20 A type C miniature circuit breaker", "8.90"),
            m("Disjoncteur modulaire 32 A courbe C", "32 A type C miniature circuit breaker", "10.90"),
            m("Interrupteur différentiel 40 A 30 mA type AC", "40 A 30 mA type AC residual current device", "39.90", w=1.8),
            m("Interrupteur différentiel 63 A 30 mA type A", "63 A 30 mA type A residual current device", "69.90", w=1.8),
            m("Tableau électrique 2 rangées, 26 modules", "2-row, 26-module consumer unit", "49.90", w=12),
            m("Vérificateur d'absence de tension", "Two-pole voltage tester", "34.90", w=2),
            m("Multimètre numérique", "Digital multimeter", "39.90", w=2.5),
        ),
        document="technical_sheet",
    ),
)
# fmt: on
