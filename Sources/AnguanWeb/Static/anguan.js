// Live clocks on the case page: how long an open custody or summons has lasted, updated each minute.
(function () {
  function tick() {
    var now = Math.floor(Date.now() / 1000);
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var m = Math.max(0, Math.floor((now - parseInt(el.getAttribute("data-since"), 10)) / 60));
      el.textContent = Math.floor(m / 60) + " 小时 " + (m % 60) + " 分";
    });
  }
  tick();
  setInterval(tick, 30000);
})();
