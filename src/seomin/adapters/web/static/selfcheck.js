// 자격조회: ticking "점수를 몰라요" greys out that score's box (the form works the same without this).
(function () {
  function sync(box) {
    var input = document.querySelector('[data-unknown="' + box.id + '"]');
    if (input) {
      input.disabled = box.checked;
    }
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box && box.matches && box.matches('input[type="checkbox"][id$="_unknown"]')) {
      sync(box);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('input[type="checkbox"][id$="_unknown"]').forEach(sync);
  });
})();
