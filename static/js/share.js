// "Copy link": copies the post's URL; without JavaScript it is a plain link to the post.
(function () {
  "use strict";
  document.querySelectorAll("[data-share]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!navigator.clipboard) return;
      event.preventDefault();
      var status = link.parentNode.querySelector(".share-status");
      navigator.clipboard.writeText(link.getAttribute("data-share")).then(function () {
        if (status) status.textContent = "Link copied";
      }, function () {
        if (status) status.textContent = "Could not copy; the link is: " + link.href;
      });
    });
  });
})();
