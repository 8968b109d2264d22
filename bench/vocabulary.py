"""Words of the generated catalog: a French home and workshop supplier, with English names."""

from __future__ import annotations

from comptoir.catalog.models import AttributeKind

# (slug, fr, en, unit, kind, choices as (slug, fr, en))
ATTRIBUTES: list[tuple[str, str, str, str, str, list[tuple[str, str, str]]]] = [
    ("puissance", "Puissance", "Power", "W", AttributeKind.NUMBER, []),
    ("sans-fil", "Sans fil", "Cordless", "", AttributeKind.BOOLEAN, []),
    ("longueur", "Longueur", "Length", "mm", AttributeKind.NUMBER, []),
    ("diametre", "Diamètre", "Diameter", "mm", AttributeKind.NUMBER, []),
    ("contenance", "Contenance", "Capacity", "L", AttributeKind.NUMBER, []),
    ("norme", "Norme", "Standard", "", AttributeKind.TEXT, []),
    (
        "matiere",
        "Matière",
        "Material",
        "",
        AttributeKind.CHOICE,
        [
            ("acier", "Acier", "Steel"),
            ("inox", "Inox", "Stainless steel"),
            ("aluminium", "Aluminium", "Aluminium"),
            ("bois", "Bois", "Wood"),
            ("plastique", "Plastique", "Plastic"),
            ("fonte", "Fonte", "Cast iron"),
        ],
    ),
    (
        "couleur",
        "Couleur",
        "Colour",
        "",
        AttributeKind.CHOICE,
        [
            ("blanc", "Blanc", "White"),
            ("noir", "Noir", "Black"),
            ("rouge", "Rouge", "Red"),
            ("bleu", "Bleu", "Blue"),
            ("vert", "Vert", "Green"),
            ("gris", "Gris", "Grey"),
        ],
    ),
    (
        "taille",
        "Taille",
        "Size",
        "",
        AttributeKind.CHOICE,
        [("s", "S", "S"), ("m", "M", "M"), ("l", "L", "L"), ("xl", "XL", "XL")],
    ),
    (
        "conditionnement",
        "Conditionnement",
        "Pack",
        "",
        AttributeKind.CHOICE,
        [
            ("unite", "À l'unité", "Single"),
            ("boite-10", "Boîte de 10", "Box of 10"),
            ("boite-100", "Boîte de 100", "Box of 100"),
        ],
    ),
    (
        "tension",
        "Tension",
        "Voltage",
        "",
        AttributeKind.CHOICE,
        [("12v", "12 V", "12 V"), ("18v", "18 V", "18 V"), ("230v", "230 V", "230 V")],
    ),
]

# (slug, name, product attributes, variant attribute)
PRODUCT_TYPES: list[tuple[str, str, list[str], str]] = [
    ("outil-electrique", "Outil électrique", ["puissance", "sans-fil"], "tension"),
    ("outil-a-main", "Outil à main", ["matiere", "longueur"], "taille"),
    ("consommable", "Consommable", ["matiere", "diametre", "longueur"], "conditionnement"),
    ("peinture", "Peinture", ["contenance", "norme"], "couleur"),
    ("protection", "Équipement de protection", ["norme", "matiere"], "taille"),
    ("ustensile", "Ustensile", ["matiere", "diametre"], "couleur"),
]

# (fr, en, product type, [(leaf fr, leaf en, noun fr, noun en)] x 6)
CATEGORIES: list[tuple[str, str, str, list[tuple[str, str, str, str]]]] = [
    (
        "Outillage électroportatif",
        "Power tools",
        "outil-electrique",
        [
            ("Perceuses", "Drills", "Perceuse", "Drill"),
            ("Visseuses", "Screwdrivers", "Visseuse", "Screwdriver"),
            ("Scies", "Saws", "Scie", "Saw"),
            ("Ponceuses", "Sanders", "Ponceuse", "Sander"),
            ("Meuleuses", "Grinders", "Meuleuse", "Grinder"),
            ("Perforateurs", "Rotary hammers", "Perforateur", "Rotary hammer"),
        ],
    ),
    (
        "Outillage à main",
        "Hand tools",
        "outil-a-main",
        [
            ("Marteaux", "Hammers", "Marteau", "Hammer"),
            ("Tournevis", "Screwdriver sets", "Tournevis", "Screwdriver"),
            ("Clés", "Spanners", "Clé", "Spanner"),
            ("Pinces", "Pliers", "Pince", "Pliers"),
            ("Mètres", "Tape measures", "Mètre ruban", "Tape measure"),
            ("Niveaux", "Spirit levels", "Niveau", "Spirit level"),
        ],
    ),
    (
        "Quincaillerie",
        "Hardware",
        "consommable",
        [
            ("Vis", "Screws", "Vis", "Screw"),
            ("Chevilles", "Wall plugs", "Cheville", "Wall plug"),
            ("Boulons", "Bolts", "Boulon", "Bolt"),
            ("Clous", "Nails", "Clou", "Nail"),
            ("Charnières", "Hinges", "Charnière", "Hinge"),
            ("Serrures", "Locks", "Serrure", "Lock"),
        ],
    ),
    (
        "Électricité",
        "Electrical",
        "consommable",
        [
            ("Câbles", "Cables", "Câble", "Cable"),
            ("Interrupteurs", "Switches", "Interrupteur", "Switch"),
            ("Prises", "Sockets", "Prise", "Socket"),
            ("Ampoules", "Bulbs", "Ampoule", "Bulb"),
            ("Disjoncteurs", "Circuit breakers", "Disjoncteur", "Circuit breaker"),
            ("Rallonges", "Extension leads", "Rallonge", "Extension lead"),
        ],
    ),
    (
        "Plomberie",
        "Plumbing",
        "consommable",
        [
            ("Robinets", "Taps", "Robinet", "Tap"),
            ("Raccords", "Fittings", "Raccord", "Fitting"),
            ("Tuyaux", "Pipes", "Tuyau", "Pipe"),
            ("Siphons", "Traps", "Siphon", "Trap"),
            ("Joints", "Seals", "Joint", "Seal"),
            ("Mitigeurs", "Mixer taps", "Mitigeur", "Mixer tap"),
        ],
    ),
    (
        "Peinture",
        "Paint",
        "peinture",
        [
            ("Peintures murales", "Wall paints", "Peinture murale", "Wall paint"),
            ("Lasures", "Wood stains", "Lasure", "Wood stain"),
            ("Vernis", "Varnishes", "Vernis", "Varnish"),
            ("Laques", "Lacquers", "Laque", "Lacquer"),
            ("Sous-couches", "Primers", "Sous-couche", "Primer"),
            ("Peintures sol", "Floor paints", "Peinture sol", "Floor paint"),
        ],
    ),
    (
        "Jardin",
        "Garden",
        "outil-electrique",
        [
            ("Tondeuses", "Lawn mowers", "Tondeuse", "Lawn mower"),
            ("Taille-haies", "Hedge trimmers", "Taille-haie", "Hedge trimmer"),
            ("Souffleurs", "Leaf blowers", "Souffleur", "Leaf blower"),
            ("Tronçonneuses", "Chainsaws", "Tronçonneuse", "Chainsaw"),
            ("Coupe-bordures", "Grass trimmers", "Coupe-bordure", "Grass trimmer"),
            ("Broyeurs", "Shredders", "Broyeur", "Shredder"),
        ],
    ),
    (
        "Cuisine",
        "Kitchen",
        "ustensile",
        [
            ("Casseroles", "Saucepans", "Casserole", "Saucepan"),
            ("Poêles", "Frying pans", "Poêle", "Frying pan"),
            ("Faitouts", "Stockpots", "Faitout", "Stockpot"),
            ("Saladiers", "Salad bowls", "Saladier", "Salad bowl"),
            ("Passoires", "Colanders", "Passoire", "Colander"),
            ("Plats", "Dishes", "Plat", "Dish"),
        ],
    ),
    (
        "Équipement de protection",
        "Safety equipment",
        "protection",
        [
            ("Gants", "Gloves", "Gants", "Gloves"),
            ("Lunettes", "Goggles", "Lunettes", "Goggles"),
            ("Casques", "Helmets", "Casque", "Helmet"),
            ("Masques", "Masks", "Masque", "Mask"),
            ("Chaussures de sécurité", "Safety shoes", "Chaussures", "Safety shoes"),
            ("Vêtements de travail", "Workwear", "Veste", "Jacket"),
        ],
    ),
    (
        "Rangement et atelier",
        "Storage and workshop",
        "outil-a-main",
        [
            ("Établis", "Workbenches", "Établi", "Workbench"),
            ("Servantes", "Tool trolleys", "Servante", "Tool trolley"),
            ("Caisses à outils", "Toolboxes", "Caisse à outils", "Toolbox"),
            ("Étagères", "Shelving", "Étagère", "Shelf"),
            ("Boîtes de rangement", "Storage boxes", "Boîte", "Box"),
            ("Chariots", "Carts", "Chariot", "Cart"),
        ],
    ),
]

QUALIFIERS = ["Pro", "Expert", "Eco", "Classic", "Max", "Mini", "Plus", "Compact", "Premium"]
BRANDS = ["Atelier Martin", "Forgeval", "Brico Nova", "Lumen", "Hydra", "Solvert", "Castor",
          "Ardoise", "Vulcain", "Pivert", "Maréchal", "Orion"]  # fmt: skip
SENTENCES_FR = [
    "Conçu pour un usage intensif à l'atelier comme à la maison.",
    "Livré avec sa notice et garanti trois ans.",
    "Un classique robuste, apprécié des artisans.",
    "Léger, précis et facile à entretenir.",
]
SENTENCES_EN = [
    "Built for heavy use in the workshop and at home.",
    "Comes with its manual and a three-year warranty.",
    "A sturdy classic that trades people rely on.",
    "Light, precise and easy to maintain.",
]
NORMS = ["EN 388", "EN 166", "EN 397", "EN 149", "EN ISO 20345", "NF EN 13300"]
