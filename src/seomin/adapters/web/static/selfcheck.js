// 자격조회, progressive enhancement only (the form works the same without this):
// - ticking "점수를 몰라요" greys out that score's box;
// - the loans of the optional step are hidden while "이미 받은 대출" is answered "없어요" (the server reads
//   them only when the answer is "있어요", so hiding them changes nothing that is sent);
// - a question that only some answers need (months at work, pension payments, payments in a debt
//   adjustment, the loan's purpose) shows once such an answer is given: data-reveal names the field,
//   data-reveal-when the answers (default "yes"). Hidden fields are empty, so nothing else is sent.
(function () {
  function sync(box) {
    var input = document.querySelector('[data-unknown="' + box.id + '"]');
    if (input) {
      input.disabled = box.checked;
    }
  }
  function answerOf(name) {
    var checked = document.querySelector('input[type="radio"][name="' + name + '"]:checked');
    if (checked) return checked.value;
    var select = document.querySelector('select[name="' + name + '"]');
    return select ? select.value : "";
  }
  function reveal(block) {
    var when = (block.getAttribute("data-reveal-when") || "yes").split(" ");
    var shown = when.indexOf(answerOf(block.getAttribute("data-reveal"))) >= 0;
    // a field with an error is never hidden
    block.hidden = !shown && !block.querySelector('[aria-invalid="true"]');
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box && box.matches && box.matches('input[type="checkbox"][id$="_unknown"]')) {
      sync(box);
    }
    if (box && box.matches && box.matches('input[type="radio"], select')) {
      document.querySelectorAll('[data-reveal="' + box.name + '"]').forEach(reveal);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('input[type="checkbox"][id$="_unknown"]').forEach(sync);
    document.querySelectorAll("[data-reveal]").forEach(reveal);
  });
})();
