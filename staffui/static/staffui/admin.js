/* 核档 staff UI: file pickers labelled in Chinese whatever the browser's language.
 * The native <input type=file> shows "Choose Files" in an English browser; it is kept (forms
 * and drag-and-drop still use it) but visually replaced by a 选择文件 button and a Chinese
 * summary of the chosen files. */
(function () {
  "use strict";
  function summary(input) {
    var n = input.files ? input.files.length : 0;
    if (!n) return "未选择文件";
    if (n === 1) return input.files[0].name;
    return "已选择 " + n + " 个文件";
  }
  function enhance(input) {
    if (input.dataset.hdFile) return;
    input.dataset.hdFile = "1";
    var wrap = document.createElement("span");
    wrap.className = "hd-file";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary button-small hd-file__button";
    button.textContent = input.multiple ? "选择文件（可多选）" : "选择文件";
    var label = document.createElement("span");
    label.className = "hd-file__names";
    label.textContent = summary(input);
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    wrap.appendChild(button);
    wrap.appendChild(label);
    input.classList.add("hd-file__input");
    button.addEventListener("click", function () { input.click(); });
    input.addEventListener("change", function () { label.textContent = summary(input); });
  }
  function scan(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("input[type=file]").forEach(enhance);
  }
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  new MutationObserver(function (records) {
    records.forEach(function (r) { r.addedNodes.forEach(function (n) { if (n.nodeType === 1) scan(n); }); });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
