"""Reference data of the demo store: channels, accounts, category tree, attributes and
product types. Names are French (the shop's language) with their English translation."""

# ruff: noqa: RUF001 - typographic signs (multiplication sign, en dash) are intended in French text

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# Pro channel prices are tax-excluded: the consumer price without 20 % VAT, less the
# trade discount every professional account gets.
VAT_RATE = Decimal("0.20")
TRADE_DISCOUNT = Decimal("0.15")

CHANNELS: list[dict[str, Any]] = [
    {
        "code": "boutique-france",
        "name": "Boutique France",
        "currency": "EUR",
        "default_language": "fr",
        "languages": ["fr", "en"],
        "price_display": "gross",
        "is_b2b": False,
    },
    {
        "code": "comptoir-pro",
        "name": "Comptoir Pro",
        "currency": "EUR",
        "default_language": "fr",
        "languages": ["fr", "en"],
        "price_display": "net",
        "is_b2b": True,
    },
]

# email, password, first name, last name, role (for the banner), staff
ACCOUNTS = [
    ("admin@comptoir.test", "comptoir-admin", "Camille", "Lefèvre", "staff (superuser)", True),
    ("lea@example.fr", "comptoir-demo", "Léa", "Moreau", "B2C shopper", False),
    ("acheteur@atelier-martin.fr", "comptoir-demo", "Karim", "Benali", "B2B buyer", False),
    ("direction@atelier-martin.fr", "comptoir-demo", "Sophie", "Martin", "B2B approver", False),
    ("achats@bois-co.be", "comptoir-demo", "Lotte", "Peeters", "B2B buyer (Belgium)", False),
]


@dataclass(frozen=True, slots=True)
class CategorySpec:
    slug: str
    fr: str
    en: str
    color: str = ""
    children: tuple[CategorySpec, ...] = field(default_factory=tuple)


def _c(slug: str, fr: str, en: str) -> CategorySpec:
    return CategorySpec(slug, fr, en)


CATEGORIES = (
    CategorySpec(
        "cuisine",
        "Cuisine",
        "Kitchen",
        "#c0504d",
        (
            _c("ustensiles", "Ustensiles", "Utensils"),
            _c("cuisson", "Casseroles et poêles", "Pots and pans"),
            _c("rangement-cuisine", "Rangement de cuisine", "Kitchen storage"),
        ),
    ),
    CategorySpec(
        "jardin",
        "Jardin",
        "Garden",
        "#4f8a4b",
        (
            _c("outils-jardin", "Outils de jardin", "Garden tools"),
            _c("arrosage", "Arrosage", "Watering"),
            _c("mobilier-jardin", "Mobilier de jardin", "Garden furniture"),
        ),
    ),
    CategorySpec(
        "decoration",
        "Décoration",
        "Home decor",
        "#a67b5b",
        (
            _c("textiles", "Coussins et plaids", "Cushions and throws"),
            _c("vases-objets", "Vases et objets", "Vases and objects"),
        ),
    ),
    CategorySpec(
        "eclairage",
        "Éclairage",
        "Lighting",
        "#d4a017",
        (
            _c("ampoules", "Ampoules LED", "LED bulbs"),
            _c("lampes", "Lampes et suspensions", "Lamps and pendants"),
            _c("eclairage-chantier", "Éclairage de chantier", "Work lights"),
        ),
    ),
    CategorySpec(
        "electroportatif",
        "Outillage électroportatif",
        "Power tools",
        "#2f6f8f",
        (
            _c("perceuses", "Perceuses et visseuses", "Drills and drivers"),
            _c("scies", "Scies", "Saws"),
            _c("ponceuses-meuleuses", "Ponceuses et meuleuses", "Sanders and grinders"),
        ),
    ),
    CategorySpec(
        "outillage-main",
        "Outillage à main",
        "Hand tools",
        "#5b6770",
        (
            _c("tournevis-cles", "Tournevis et clés", "Screwdrivers and spanners"),
            _c("frappe-coupe", "Frappe et coupe", "Striking and cutting"),
            _c("mesure-tracage", "Mesure et traçage", "Measuring and marking"),
            _c("rangement-outils", "Rangement d'outils", "Tool storage"),
        ),
    ),
    CategorySpec(
        "quincaillerie",
        "Quincaillerie et fixations",
        "Fasteners and fixings",
        "#b5651d",
        (
            _c("vis", "Vis", "Screws"),
            _c("chevilles", "Chevilles et ancrages", "Wall plugs and anchors"),
            _c("boulonnerie", "Boulonnerie", "Nuts and bolts"),
        ),
    ),
    CategorySpec(
        "epi",
        "Équipements de protection",
        "Personal protective equipment",
        "#e07b00",
        (
            _c("gants", "Gants de protection", "Protective gloves"),
            _c(
                "protection-tete",
                "Yeux, oreilles et voies respiratoires",
                "Eye, ear and respiratory protection",
            ),
            _c(
                "vetements-chaussures",
                "Vêtements et chaussures de travail",
                "Workwear and safety footwear",
            ),
        ),
    ),
    CategorySpec(
        "colles-chimie",
        "Colles et produits techniques",
        "Adhesives and chemicals",
        "#7b4f9d",
        (
            _c("colles", "Colles", "Adhesives"),
            _c("mastics", "Mastics et mousses", "Sealants and foams"),
            _c("nettoyants-lubrifiants", "Nettoyants et lubrifiants", "Cleaners and lubricants"),
        ),
    ),
    CategorySpec(
        "electricite",
        "Électricité",
        "Electrical",
        "#1f7a7a",
        (
            _c("cables", "Câbles et fils", "Cables and wires"),
            _c("appareillage", "Prises et interrupteurs", "Switches and sockets"),
            _c("protection-electrique", "Tableau et protection", "Consumer units and protection"),
        ),
    ),
)

# slug: (French name, English name, kind, unit, [(choice slug, French, English)])
ATTRIBUTES: dict[str, tuple[str, str, str, str, list[tuple[str, str, str]]]] = {
    "couleur": (
        "Couleur",
        "Colour",
        "choice",
        "",
        [
            ("blanc", "Blanc", "White"),
            ("noir", "Noir", "Black"),
            ("gris-anthracite", "Gris anthracite", "Anthracite grey"),
            ("rouge", "Rouge", "Red"),
            ("bleu", "Bleu", "Blue"),
            ("vert-sauge", "Vert sauge", "Sage green"),
            ("vert-jaune", "Vert/jaune", "Green/yellow"),
            ("jaune-fluo", "Jaune fluo", "Fluorescent yellow"),
            ("orange-fluo", "Orange fluo", "Fluorescent orange"),
            ("terracotta", "Terracotta", "Terracotta"),
            ("moutarde", "Moutarde", "Mustard"),
            ("naturel", "Naturel", "Natural"),
            ("transparent", "Transparent", "Clear"),
        ],
    ),
    "matiere": (
        "Matière",
        "Material",
        "choice",
        "",
        [
            ("acier", "Acier", "Steel"),
            ("acier-zingue", "Acier zingué", "Zinc-plated steel"),
            ("acier-galvanise", "Acier galvanisé", "Galvanised steel"),
            ("inox-18-10", "Inox 18/10", "18/10 stainless steel"),
            ("inox-a2", "Inox A2", "A2 stainless steel"),
            ("inox-a4", "Inox A4", "A4 stainless steel"),
            ("fonte", "Fonte", "Cast iron"),
            ("aluminium", "Aluminium", "Aluminium"),
            ("cuivre", "Cuivre", "Copper"),
            ("laiton", "Laiton", "Brass"),
            ("olivier", "Bois d'olivier", "Olive wood"),
            ("hetre", "Hêtre", "Beech"),
            ("chene", "Chêne", "Oak"),
            ("acacia", "Acacia", "Acacia"),
            ("bambou", "Bambou", "Bamboo"),
            ("rotin", "Rotin", "Rattan"),
            ("gres", "Grès", "Stoneware"),
            ("ceramique", "Céramique", "Ceramic"),
            ("terre-cuite", "Terre cuite", "Terracotta"),
            ("verre", "Verre", "Glass"),
            ("silicone", "Silicone", "Silicone"),
            ("lin", "Lin", "Linen"),
            ("coton", "Coton", "Cotton"),
            ("laine", "Laine", "Wool"),
            ("jute", "Jute", "Jute"),
            ("feutre", "Feutre", "Felt"),
            ("polypropylene", "Polypropylène", "Polypropylene"),
            ("nylon", "Nylon", "Nylon"),
            ("nitrile", "Nitrile", "Nitrile"),
            ("cuir", "Cuir", "Leather"),
            ("polycarbonate", "Polycarbonate", "Polycarbonate"),
            ("pvc", "PVC", "PVC"),
        ],
    ),
    "puissance": ("Puissance", "Power", "number", "W", []),
    "tension": ("Tension", "Voltage", "number", "V", []),
    "sans-fil": ("Sans fil", "Cordless", "boolean", "", []),
    "diametre": ("Diamètre", "Diameter", "number", "mm", []),
    "longueur": ("Longueur", "Length", "number", "mm", []),
    "contenance": ("Contenance", "Volume", "number", "mL", []),
    "quantite": ("Quantité par boîte", "Quantity per box", "number", "pcs", []),
    "section": ("Section", "Cross-section", "number", "mm²", []),
    "flux-lumineux": ("Flux lumineux", "Luminous flux", "number", "lm", []),
    "temperature-couleur": ("Température de couleur", "Colour temperature", "number", "K", []),
    "variateur": ("Compatible variateur", "Dimmable", "boolean", "", []),
    "induction": ("Compatible induction", "Induction compatible", "boolean", "", []),
    "lave-vaisselle": ("Passe au lave-vaisselle", "Dishwasher safe", "boolean", "", []),
    "norme": ("Norme", "Standard", "text", "", []),
    "indice-ip": ("Indice de protection", "Ingress protection", "text", "", []),
    "dimensions": ("Dimensions", "Dimensions", "text", "", []),
    "culot": (
        "Culot",
        "Cap",
        "choice",
        "",
        [
            ("e27", "E27", "E27"),
            ("e14", "E14", "E14"),
            ("gu10", "GU10", "GU10"),
            ("b22", "B22", "B22"),
        ],
    ),
    "empreinte": (
        "Empreinte",
        "Drive",
        "choice",
        "",
        [
            ("torx", "Torx", "Torx"),
            ("pozidriv", "Pozidriv", "Pozidriv"),
            ("six-pans", "Six pans", "Hex"),
        ],
    ),
    "batterie": (
        "Batterie",
        "Battery",
        "choice",
        "",
        [
            ("sans", "Sans batterie", "Bare tool"),
            ("1x2ah", "1 batterie 2 Ah", "1 × 2 Ah battery"),
            ("2x4ah", "2 batteries 4 Ah", "2 × 4 Ah batteries"),
        ],
    ),
    "mention-danger": (
        "Mention d'avertissement",
        "Signal word",
        "choice",
        "",
        [("attention", "Attention", "Warning"), ("danger", "Danger", "Danger")],
    ),
    "taille": (
        "Taille",
        "Size",
        "choice",
        "",
        [(s.lower(), s, s) for s in ("S", "M", "L", "XL", "XXL")],
    ),
    "taille-gant": (
        "Taille de gant",
        "Glove size",
        "choice",
        "",
        [(f"t{s}", s, s) for s in ("7", "8", "9", "10")],
    ),
    "pointure": (
        "Pointure",
        "Shoe size (EU)",
        "choice",
        "",
        [(f"p{s}", str(s), str(s)) for s in range(39, 46)],
    ),
}

# slug: (French name, has variants, product attributes, variant attributes, image shape)
PRODUCT_TYPES: dict[str, tuple[str, bool, list[str], list[str], str]] = {
    "ustensile": (
        "Ustensile de cuisine",
        True,
        ["matiere", "lave-vaisselle"],
        ["couleur"],
        "circle",
    ),
    "cuisson": (
        "Article de cuisson",
        True,
        ["matiere", "induction", "lave-vaisselle"],
        ["diametre"],
        "circle",
    ),
    "rangement": (
        "Rangement",
        True,
        ["matiere", "dimensions"],
        ["couleur", "contenance"],
        "square",
    ),
    "outil-jardin": ("Outil de jardin", False, ["matiere", "longueur"], [], "leaf"),
    "arrosage": ("Arrosage", True, ["matiere"], ["longueur", "contenance"], "leaf"),
    "mobilier": ("Mobilier", True, ["matiere", "dimensions"], ["couleur", "diametre"], "square"),
    "textile": ("Textile de décoration", True, ["matiere", "dimensions"], ["couleur"], "square"),
    "objet-deco": ("Objet de décoration", True, ["matiere"], ["couleur"], "circle"),
    "ampoule": (
        "Ampoule LED",
        True,
        ["culot", "puissance", "flux-lumineux", "variateur"],
        ["temperature-couleur"],
        "bulb",
    ),
    "luminaire": ("Luminaire", True, ["matiere", "puissance", "indice-ip"], ["couleur"], "bulb"),
    "electroportatif": (
        "Outil électroportatif",
        True,
        ["tension", "puissance", "sans-fil"],
        ["batterie"],
        "bolt",
    ),
    "outil-main": ("Outil à main", False, ["matiere", "longueur"], [], "square"),
    "fixation": (
        "Fixation",
        True,
        ["matiere", "diametre", "empreinte"],
        ["longueur", "quantite"],
        "hexagon",
    ),
    "epi": ("Équipement de protection", True, ["norme", "couleur"], ["taille"], "shield"),
    "gant": ("Gant de protection", True, ["norme", "matiere"], ["taille-gant"], "shield"),
    "chaussure": ("Chaussure de sécurité", True, ["norme"], ["pointure"], "shield"),
    "chimie": ("Produit technique", True, ["mention-danger"], ["contenance"], "triangle"),
    "cable": ("Câble électrique", True, ["section"], ["couleur", "longueur"], "bolt"),
    "appareillage": ("Appareillage électrique", True, ["indice-ip"], ["couleur"], "bolt"),
}
