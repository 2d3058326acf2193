// Public tip form, step 2: "换一张" fetches a new captcha from the captcha app's refresh view and swaps
// the image in place, so that files already chosen in the file field stay chosen. Without this script
// (or when the request fails) the button sends the form and the page comes back with a new image.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".captcha-refresh");
    if (!button) return;
    var form = button.form;
    var image = form.querySelector("img.captcha");
    var key = form.querySelector('input[name="captcha_0"]');
    var answer = form.querySelector('input[name="captcha_1"]');
    if (!image || !key || !window.fetch) return;
    event.preventDefault();
    button.disabled = true;
    fetch(button.dataset.refreshUrl, {
      headers: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        image.src = data.image_url;
        key.value = data.key;
        answer.value = "";
        answer.focus();
        button.disabled = false;
      })
      .catch(function () {
        button.disabled = false;
        form.requestSubmit(button);
      });
  });
})();
