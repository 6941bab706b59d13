// 자격조회, progressive enhancement only (the form works the same without this):
// - ticking "점수를 몰라요" greys out that score's box;
// - the loans of the optional step are hidden while "이미 받은 대출" is answered "없어요" (the server reads
//   them only when the answer is "있어요", so hiding them changes nothing that is sent).
(function () {
  function sync(box) {
    var input = document.querySelector('[data-unknown="' + box.id + '"]');
    if (input) {
      input.disabled = box.checked;
    }
  }
  function reveal(block) {
    var name = block.getAttribute("data-reveal");
    var yes = document.querySelector('input[type="radio"][name="' + name + '"][value="yes"]');
    block.hidden = !(yes && yes.checked);
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box && box.matches && box.matches('input[type="checkbox"][id$="_unknown"]')) {
      sync(box);
    }
    if (box && box.matches && box.matches('input[type="radio"]')) {
      document.querySelectorAll('[data-reveal="' + box.name + '"]').forEach(reveal);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('input[type="checkbox"][id$="_unknown"]').forEach(sync);
    document.querySelectorAll("[data-reveal]").forEach(reveal);
  });
})();
