/*
 * A live count of characters and SMS parts under every textarea marked data-sms-counter,
 * following rendering.sms_length on the server: GSM-7 (160 per SMS, 153 per part of a
 * longer one; the extension set counts twice) unless any character is outside it, then
 * UCS-2 (70, 67 per part). Whitespace is counted as sent: runs collapse to one space.
 */
(function () {
  "use strict";

  var BASIC =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENDED = "^{}\\[~]|€\f";

  function smsLength(text) {
    var gsm = true;
    var units = 0;
    for (var i = 0; i < text.length; i += 1) {
      var char = text.charAt(i);
      if (EXTENDED.indexOf(char) !== -1) {
        units += 2;
      } else if (BASIC.indexOf(char) !== -1) {
        units += 1;
      } else {
        gsm = false;
        break;
      }
    }
    var single = 160;
    var multi = 153;
    var encoding = "GSM-7";
    if (!gsm) {
      units = text.length; // UTF-16 code units, as UCS-2 counts them
      single = 70;
      multi = 67;
      encoding = "UCS-2";
    }
    var segments = units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / multi);
    return { encoding: encoding, characters: units, segments: segments };
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)[ds]/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  function attach(textarea) {
    if (textarea.dataset.smsCounterAttached) {
      return;
    }
    textarea.dataset.smsCounterAttached = "1";
    var output = document.createElement("p");
    output.className = "help";
    output.setAttribute("aria-live", "polite");
    textarea.insertAdjacentElement("afterend", output);
    var maximum = parseInt(textarea.dataset.smsMaxSegments || "0", 10);

    function update() {
      var text = textarea.value.split(/\s+/).join(" ").trim();
      var length = smsLength(text);
      var message = format(textarea.dataset.smsCounter, length);
      var tooLong = maximum > 0 && length.segments > maximum;
      if (tooLong && textarea.dataset.smsCounterTooLong) {
        message += " " + format(textarea.dataset.smsCounterTooLong, { maximum: maximum });
      }
      output.textContent = message;
      output.classList.toggle("error-message", tooLong);
    }

    textarea.addEventListener("input", update);
    update();
  }

  function attachAll() {
    document.querySelectorAll("textarea[data-sms-counter]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", attachAll);
  } else {
    attachAll();
  }
})();
