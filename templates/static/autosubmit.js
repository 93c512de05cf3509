// Sends the SAML message to the service without a click; the button remains for browsers without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("autosubmit");
  if (form) { form.submit(); }
});
