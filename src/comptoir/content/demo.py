"""The demo's content pages: delivery, returns policy, legal notices and terms of sale
(CGV), in French and English. Idempotent: a page whose slug exists is left as it is (staff
may have edited it)."""

from __future__ import annotations

from collections.abc import Callable

from comptoir.content.models import Page
from comptoir.content.services import page_save

DELIVERY_FR = """
<p>Nous livrons en France métropolitaine, en Belgique et à Monaco. Les commandes passées
avant 13 h (jours ouvrés) quittent notre entrepôt de Lyon le jour même.</p>
<h2>Modes et délais de livraison</h2>
<table>
<thead><tr><th>Mode</th><th>Délai indicatif</th><th>Prix TTC</th></tr></thead>
<tbody>
<tr><td>Colissimo à domicile</td><td>2 à 3 jours ouvrés</td><td>4,90 EUR, offert dès 60 EUR</td></tr>
<tr><td>Chronopost (avant 13 h le lendemain)</td><td>1 jour ouvré</td><td>12,90 EUR</td></tr>
<tr><td>Retrait à l'entrepôt de Lyon</td><td>Dès le lendemain, sur avis</td><td>Gratuit</td></tr>
</tbody>
</table>
<h2>Suivi de colis</h2>
<p>Dès l'expédition, vous recevez un e-mail avec le numéro de suivi. Vous le retrouvez aussi
dans <strong>Mon compte &gt; Mes commandes</strong>.</p>
<h2>Colis endommagé</h2>
<p>Vérifiez votre colis à la livraison. En cas de dommage, notez des réserves précises sur le
bon du transporteur et signalez-le-nous sous 3 jours ouvrés, photos à l'appui.</p>
"""

DELIVERY_EN = """
<p>We deliver to mainland France, Belgium and Monaco. Orders placed before 1 pm on a working
day leave our Lyon warehouse the same day.</p>
<h2>Delivery methods and times</h2>
<table>
<thead><tr><th>Method</th><th>Usual time</th><th>Price incl. VAT</th></tr></thead>
<tbody>
<tr><td>Colissimo, to your door</td><td>2 to 3 working days</td><td>EUR 4.90, free from EUR 60</td></tr>
<tr><td>Chronopost (next day before 1 pm)</td><td>1 working day</td><td>EUR 12.90</td></tr>
<tr><td>Pick-up at the Lyon warehouse</td><td>From the next day, when notified</td><td>Free</td></tr>
</tbody>
</table>
<h2>Tracking</h2>
<p>As soon as your parcel ships you receive an email with its tracking number. It is also
shown in <strong>My account &gt; My orders</strong>.</p>
<h2>Damaged parcel</h2>
<p>Check your parcel on delivery. If it is damaged, write precise reservations on the
carrier's slip and tell us within 3 working days, with photos.</p>
"""

RETURNS_FR = """
<p>Vous disposez de <strong>14 jours</strong> à compter de la réception de votre commande
pour exercer votre droit de rétractation, sans avoir à vous justifier (articles L221-18 et
suivants du Code de la consommation). Nous vous accordons 30 jours.</p>
<h2>Comment retourner un article</h2>
<ol>
<li>Écrivez-nous à <a href="mailto:retours@comptoir.test">retours@comptoir.test</a> avec
votre numéro de commande.</li>
<li>Emballez l'article dans son état d'origine, complet, avec ses accessoires et notices.</li>
<li>Envoyez-le à : Comptoir Démo, Service retours, 12 rue de l'Industrie, 69007 Lyon.</li>
</ol>
<h2>Remboursement</h2>
<p>Nous remboursons le prix des articles et les frais de livraison initiaux (au tarif le
moins cher) sous 14 jours après réception du retour, par le moyen de paiement utilisé. Les
frais de retour restent à votre charge, sauf article défectueux ou erreur de notre part.</p>
<h2>Exceptions</h2>
<ul>
<li>Articles coupés ou fabriqués sur mesure (câbles, plans de travail à la découpe).</li>
<li>Consommables descellés après livraison pour des raisons d'hygiène ou de sécurité.</li>
</ul>
<h2>Garanties légales</h2>
<p>Tous nos produits bénéficient de la garantie légale de conformité (2 ans) et de la
garantie contre les vices cachés.</p>
"""

RETURNS_EN = """
<p>You have <strong>14 days</strong> from receiving your order to withdraw from the
purchase, without giving any reason (French Consumer Code, article L221-18 and following).
We extend this to 30 days.</p>
<h2>How to return an item</h2>
<ol>
<li>Email <a href="mailto:retours@comptoir.test">retours@comptoir.test</a> with your order
number.</li>
<li>Pack the item as you received it, complete with its accessories and manuals.</li>
<li>Send it to: Comptoir Demo, Returns, 12 rue de l'Industrie, 69007 Lyon, France.</li>
</ol>
<h2>Refunds</h2>
<p>We refund the items and the original delivery cost (at the cheapest rate) within 14 days
of receiving the return, with the means of payment you used. Return postage is yours to pay,
unless the item is faulty or we made a mistake.</p>
<h2>Exceptions</h2>
<ul>
<li>Items cut or made to measure (cables, worktops cut to size).</li>
<li>Consumables unsealed after delivery, for hygiene or safety reasons.</li>
</ul>
<h2>Legal guarantees</h2>
<p>Every product carries the legal guarantee of conformity (2 years) and the guarantee
against hidden defects.</p>
"""

LEGAL_FR = """
<h2>Éditeur du site</h2>
<p>Comptoir Démo SAS, au capital de 10 000 EUR, RCS Lyon 912 345 678, siège social :
12 rue de l'Industrie, 69007 Lyon. TVA intracommunautaire : FR32 912345678.
Téléphone : 04 78 00 00 00. E-mail : <a href="mailto:contact@comptoir.test">contact@comptoir.test</a>.</p>
<p>Directrice de la publication : Claire Martin, présidente.</p>
<h2>Hébergement</h2>
<p>Le site est hébergé par l'exploitant de la boutique sur ses propres serveurs, situés en
France. (Boutique de démonstration : aucune donnée réelle n'est traitée.)</p>
<h2>Données personnelles</h2>
<p>Vos données servent à traiter vos commandes et à gérer votre compte. Vous pouvez y
accéder, les rectifier ou les effacer en écrivant à
<a href="mailto:dpo@comptoir.test">dpo@comptoir.test</a>, et saisir la CNIL.</p>
<h2>Cookies</h2>
<p>Nous n'utilisons que les cookies nécessaires au fonctionnement de la boutique (session,
panier, langue), sans traceur publicitaire ni mesure d'audience tierce.</p>
"""

LEGAL_EN = """
<h2>Publisher</h2>
<p>Comptoir Démo SAS, share capital EUR 10,000, registered in Lyon under number
912 345 678, head office: 12 rue de l'Industrie, 69007 Lyon, France. VAT number:
FR32 912345678. Phone: +33 4 78 00 00 00. Email:
<a href="mailto:contact@comptoir.test">contact@comptoir.test</a>.</p>
<p>Publication director: Claire Martin, president.</p>
<h2>Hosting</h2>
<p>The site is hosted by the shop's operator on its own servers, in France. (Demonstration
shop: no real data is processed.)</p>
<h2>Personal data</h2>
<p>Your data is used to process your orders and manage your account. You may access,
correct or erase it by writing to <a href="mailto:dpo@comptoir.test">dpo@comptoir.test</a>,
and complain to the CNIL, the French data protection authority.</p>
<h2>Cookies</h2>
<p>We only use the cookies the shop needs to work (session, cart, language): no advertising
tracker and no third-party analytics.</p>
"""

TERMS_FR = """
<p>Les présentes conditions générales de vente (CGV) s'appliquent à toute commande passée
sur la boutique par un consommateur. Les conditions des clients professionnels sont celles
de leur contrat.</p>
<h2>Article 1 : Prix</h2>
<p>Les prix sont indiqués en euros toutes taxes comprises (TVA française applicable au jour
de la commande), hors frais de livraison, affichés avant la validation de la commande.</p>
<h2>Article 2 : Commande</h2>
<p>La commande est ferme après la validation du paiement. Un e-mail de confirmation
récapitule les articles, les prix, la livraison et l'adresse.</p>
<h2>Article 3 : Paiement</h2>
<p>Le paiement s'effectue par carte bancaire ou par virement. Par virement, la commande est
préparée à réception des fonds.</p>
<h2>Article 4 : Livraison</h2>
<p>Les délais et tarifs figurent sur la page Livraison. Le transfert des risques a lieu à la
remise du colis.</p>
<h2>Article 5 : Rétractation</h2>
<p>Le consommateur dispose d'un délai de 14 jours pour se rétracter ; les modalités figurent
sur la page Retours et remboursements.</p>
<h2>Article 6 : Garanties</h2>
<p>Le vendeur répond des défauts de conformité (articles L217-3 et suivants du Code de la
consommation) et des vices cachés (articles 1641 et suivants du Code civil).</p>
<h2>Article 7 : Litiges</h2>
<p>En cas de litige, le consommateur peut recourir gratuitement au médiateur de la
consommation dont relève le vendeur. Le droit français s'applique.</p>
"""

TERMS_EN = """
<p>These general terms of sale apply to every order placed on the shop by a consumer.
Business customers' terms are those of their contract. (The French version prevails.)</p>
<h2>Article 1: Prices</h2>
<p>Prices are in euros including VAT (the French rate on the day of the order), excluding
delivery, which is shown before the order is confirmed.</p>
<h2>Article 2: Orders</h2>
<p>An order is binding once its payment is accepted. A confirmation email lists the items,
prices, delivery and address.</p>
<h2>Article 3: Payment</h2>
<p>Payment is by card or bank transfer. Orders paid by transfer are prepared when the funds
arrive.</p>
<h2>Article 4: Delivery</h2>
<p>Times and prices are on the Delivery page. Risk passes to the buyer when the parcel is
handed over.</p>
<h2>Article 5: Withdrawal</h2>
<p>Consumers have 14 days to withdraw; see the Returns and refunds page.</p>
<h2>Article 6: Guarantees</h2>
<p>The seller is liable for lack of conformity (French Consumer Code, article L217-3 and
following) and hidden defects (French Civil Code, article 1641 and following).</p>
<h2>Article 7: Disputes</h2>
<p>Consumers may refer a dispute free of charge to the seller's consumer mediator. French
law applies.</p>
"""

PAGES = [
    {
        "slug": "livraison",
        "slug_en": "delivery",
        "title": "Livraison",
        "title_en": "Delivery",
        "body": DELIVERY_FR,
        "body_en": DELIVERY_EN,
        "seo_description": "Modes, délais et tarifs de livraison en France, Belgique et à Monaco.",
        "seo_description_en": "Delivery methods, times and prices for France, Belgium and Monaco.",
    },
    {
        "slug": "retours-et-remboursements",
        "slug_en": "returns-and-refunds",
        "title": "Retours et remboursements",
        "title_en": "Returns and refunds",
        "body": RETURNS_FR,
        "body_en": RETURNS_EN,
        "seo_description": "30 jours pour changer d'avis : retourner un article, être remboursé.",
        "seo_description_en": "30 days to change your mind: how to return an item and be refunded.",
    },
    {
        "slug": "mentions-legales",
        "slug_en": "legal-notices",
        "title": "Mentions légales",
        "title_en": "Legal notices",
        "body": LEGAL_FR,
        "body_en": LEGAL_EN,
        "seo_description": "Éditeur, hébergement, données personnelles et cookies.",
        "seo_description_en": "Publisher, hosting, personal data and cookies.",
    },
    {
        "slug": "conditions-generales-de-vente",
        "slug_en": "terms-of-sale",
        "title": "Conditions générales de vente",
        "title_en": "Terms of sale",
        "body": TERMS_FR,
        "body_en": TERMS_EN,
        "seo_title": "CGV : conditions générales de vente",
        "seo_description": "Prix, commande, paiement, livraison, rétractation, garanties.",
        "seo_description_en": "Prices, orders, payment, delivery, withdrawal, guarantees.",
    },
]


def demo_content_load(*, log: Callable[[str], object] = lambda message: None) -> int:
    """Add the demo pages that are missing; returns how many were added."""
    added = 0
    existing = set(Page.objects.values_list("slug", flat=True))  # one query on a second run
    for position, fields in enumerate(PAGES):
        if fields["slug"] in existing:
            continue
        texts = {name: value.strip() for name, value in fields.items()}
        page_save(page=Page(is_published=True, in_footer=True, position=position, **texts))
        added += 1
    if added:
        log(f"Content pages: {added} added (delivery, returns, legal notices, terms of sale).")
    return added
