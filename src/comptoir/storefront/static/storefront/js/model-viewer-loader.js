/* Comptoir: loads <model-viewer> (storefront/vendor/model-viewer.min.js, from the npm
   registry through `make vendor`) only when a 3D model comes near the screen, so the
   product page's first load carries none of its ~290 KB. Until then the poster picture
   inside the element holds the place. See templates/storefront/includes/model_3d.html. */
(() => {
  "use strict";
  const viewers = document.querySelectorAll("model-viewer[data-module]");
  if (viewers.length === 0) return;
  const load = () => {
    if (document.querySelector("script[data-model-viewer]")) return;
    const script = document.createElement("script");
    script.type = "module";
    script.src = viewers[0].dataset.module;
    script.dataset.modelViewer = "";
    document.head.append(script);
  };
  if (!("IntersectionObserver" in window)) {
    load();
    return;
  }
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) {
      observer.disconnect();
      load();
    }
  }, { rootMargin: "300px 0px" });
  viewers.forEach((viewer) => observer.observe(viewer));
})();
