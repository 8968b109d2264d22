/* Comptoir: the cart drawer. htmx puts the drawer (a <dialog>, see
   templates/storefront/includes/cart_drawer.html) into #cart-drawer-slot when the shopper
   adds to the cart or opens the header's cart link; this opens it as a modal (focus moves
   into it and stays there, Escape closes it), closes it on a click on the backdrop, and gives
   the focus back to what opened it. Without JavaScript the same links and forms lead to the
   cart page. */
(() => {
  "use strict";
  let opener = null;
  document.addEventListener("htmx:beforeRequest", (event) => {
    const target = event.detail.target;
    if (target && target.id === "cart-drawer-slot") opener = event.detail.elt;
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    const slot = event.detail.target;
    if (!slot || slot.id !== "cart-drawer-slot") return;
    const dialog = slot.querySelector("dialog");
    if (!dialog || dialog.open) return;
    dialog.addEventListener("click", (click) => {
      if (click.target === dialog) dialog.close();
    });
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (opener && document.contains(opener)) opener.focus();
    });
    dialog.showModal();
  });
})();
