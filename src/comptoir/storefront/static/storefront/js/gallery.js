/* Comptoir: the product gallery (templates/storefront/includes/gallery.html). Without this
   script the thumbnails are links to each picture and each picture links to its full-size
   file. With it:
   - a thumbnail scrolls the track to its picture without moving the page, and the
     thumbnail of the picture in view is marked (aria-current);
   - choosing a variant in the add-to-cart form shows that variant's picture;
   - a picture opens in a modal <dialog> with its widest renditions: the zoom button, a
     click or a tap zooms in and out (the zoomed picture pans by scrolling), Previous/Next
     and the arrow keys change pictures, Escape or Close closes, and focus goes back to the
     picture that opened it. */
(() => {
  "use strict";
  const gallery = document.querySelector("[data-gallery]");
  if (!gallery) return;
  const track = gallery.querySelector("[data-gallery-track]");
  const items = Array.from(track.querySelectorAll(".gallery__item"));
  const thumbs = Array.from(gallery.querySelectorAll("[data-gallery-thumb]"));
  const dialog = gallery.querySelector("[data-gallery-dialog]");
  const stage = dialog && dialog.querySelector("[data-lightbox-stage]");
  const zoomButton = dialog && dialog.querySelector("[data-lightbox-zoom]");
  const count = dialog && dialog.querySelector("[data-lightbox-count]");
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  let current = 0;
  let opener = null;

  const mark = (index) => {
    thumbs.forEach((thumb, i) => {
      if (i === index) thumb.setAttribute("aria-current", "true");
      else thumb.removeAttribute("aria-current");
    });
  };

  const show = (index) => {
    const item = items[index];
    if (!item) return;
    track.scrollTo({ left: item.offsetLeft - track.offsetLeft, behavior: reduceMotion ? "auto" : "smooth" });
    mark(index);
  };

  thumbs.forEach((thumb, i) => {
    thumb.addEventListener("click", (event) => {
      event.preventDefault();
      show(i);
    });
  });

  if ("IntersectionObserver" in window && thumbs.length) {
    const seen = new IntersectionObserver((entries) => {
      entries.forEach((entry) => {
        if (entry.isIntersecting) mark(items.indexOf(entry.target));
      });
    }, { root: track, threshold: 0.6 });
    items.forEach((item) => seen.observe(item));
  }

  const form = document.querySelector("form.add-to-cart");
  const sku = form && form.querySelector("select[name=sku]");
  if (sku) {
    sku.addEventListener("change", () => {
      const index = items.findIndex((item) => item.dataset.sku === sku.value);
      if (index >= 0) show(index);
    });
  }

  if (!dialog || typeof dialog.showModal !== "function") return;

  const setZoom = (on, x = 0.5, y = 0.5) => {
    stage.classList.toggle("is-zoomed", on);
    zoomButton.setAttribute("aria-pressed", on ? "true" : "false");
    stage.querySelectorAll("source, img").forEach((node) => {
      if (node.hasAttribute("sizes")) node.setAttribute("sizes", on ? "200vw" : "100vw");
    });
    if (on) {
      // Keep the point that was clicked under the pointer (the centre for the button).
      stage.scrollLeft = x * stage.scrollWidth - stage.clientWidth / 2;
      stage.scrollTop = y * stage.scrollHeight - stage.clientHeight / 2;
    }
  };

  const fill = (index) => {
    current = (index + items.length) % items.length;
    const picture = items[current].querySelector("picture, img");
    const copy = picture.cloneNode(true);
    copy.querySelectorAll("source, img").forEach((node) => {
      if (node.hasAttribute("sizes")) node.setAttribute("sizes", "100vw");
    });
    const img = copy.tagName === "IMG" ? copy : copy.querySelector("img");
    img.removeAttribute("loading");
    img.removeAttribute("fetchpriority");
    stage.replaceChildren(copy);
    setZoom(false);
    if (count && items.length > 1) count.textContent = `(${current + 1}/${items.length})`;
  };

  gallery.querySelectorAll("[data-gallery-open]").forEach((link) => {
    link.addEventListener("click", (event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      opener = link;
      fill(Number(link.dataset.galleryOpen));
      dialog.showModal();
    });
  });

  stage.addEventListener("click", (event) => {
    const img = event.target.closest("img");
    if (!img) return;
    const box = img.getBoundingClientRect();
    const on = !stage.classList.contains("is-zoomed");
    setZoom(on, (event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
  });
  zoomButton.addEventListener("click", () => setZoom(!stage.classList.contains("is-zoomed")));
  dialog.querySelectorAll("[data-lightbox-step]").forEach((button) => {
    button.addEventListener("click", () => fill(current + Number(button.dataset.lightboxStep)));
  });
  dialog.addEventListener("keydown", (event) => {
    // Zoomed in, the arrow keys scroll the picture.
    if (items.length < 2 || stage.classList.contains("is-zoomed")) return;
    if (event.key === "ArrowRight") fill(current + 1);
    else if (event.key === "ArrowLeft") fill(current - 1);
    else return;
    event.preventDefault();
  });
  dialog.addEventListener("close", () => {
    stage.replaceChildren();
    if (opener) {
      show(current);
      opener = items[current].querySelector("[data-gallery-open]") || opener;
      opener.focus({ preventScroll: true });
      opener = null;
    }
  });
})();
