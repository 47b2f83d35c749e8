// Check-in by camera: a form with data-scan gets a "Pindai kartu" button that reads the
// e-KTA's QR with the browser's own BarcodeDetector, puts the text into the form's
// input[name=scan] and submits. Without a camera or BarcodeDetector the form still works
// by typing the KTA number; nothing here is needed for that.
(function () {
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices) return;
  document.querySelectorAll('form[data-scan]').forEach(function (form) {
    var input = form.querySelector('input[name=scan]');
    if (!input) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary';
    button.textContent = 'Pindai kartu';
    var video = document.createElement('video');
    video.className = 'scan-video';
    video.setAttribute('playsinline', '');
    video.hidden = true;
    form.appendChild(button);
    form.appendChild(video);
    var stream = null;
    function stop() {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      video.hidden = true;
    }
    button.addEventListener('click', function () {
      if (stream) { stop(); return; }
      var detector = new BarcodeDetector({ formats: ['qr_code'] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        video.play();
        (function tick() {
          if (!stream) return;
          detector.detect(video).then(function (codes) {
            if (codes.length) { input.value = codes[0].rawValue; stop(); form.submit(); }
            else requestAnimationFrame(tick);
          }).catch(function () { requestAnimationFrame(tick); });
        })();
      }).catch(function () { button.textContent = 'Kamera tidak tersedia — ketik nomor KTA'; button.disabled = true; });
    });
  });
})();
