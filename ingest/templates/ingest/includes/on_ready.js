window.hdReady = window.hdReady || function (fn) { if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fn); } else { fn(); } };
hdReady