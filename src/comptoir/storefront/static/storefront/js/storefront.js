/* Comptoir's storefront enhancements (the pages work without them).

   1. htmx answers it does not swap (a 403 for a stale form, a 404 for a product unpublished
      meanwhile, a 5xx) are done again without htmx: a GET goes to its page, a form is
      submitted the ordinary way, so the shopper sees the page that explains.
   2. The cart drawer. htmx puts the drawer (a <dialog>, see
   templates/storefront/includes/cart_drawer.html) into #cart-drawer-slot when the shopper
   adds to the cart or opens the header's cart link; this opens it as a modal (focus moves
   into it and stays there, Escape closes it), closes it on a click on the backdrop, and gives
   the focus back to what opened it. Without JavaScript the same links and forms lead to the
   cart page. */
(() => {
  "use strict";
  document.addEventListener("htmx:responseError", (event) => {
    const detail = event.detail;
    const verb = detail.requestConfig ? detail.requestConfig.verb : "get";
    const form = detail.elt ? detail.elt.closest("form") : null;
    if (verb !== "get" && form) {
      form.submit();
    } else {
      window.location.assign(detail.pathInfo.finalRequestPath || detail.pathInfo.requestPath);
    }
  });

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
