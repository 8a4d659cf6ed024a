// Passkeys (WebAuthn) on the portal: registration on the settings page, sign-in on the sign-in
// page. The server sends the options as JSON (base64url for binary fields) and checks the
// answer; this file only converts between base64url and ArrayBuffer and calls the browser.
// Elements are shown only where the browser supports passkeys.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) { return; }

  function toBuffer(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }
  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function csrf(root) {
    var input = root.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function post(url, token, body, extra) {
    var headers = { "X-CSRFToken": token, "Content-Type": "application/json" };
    if (extra) { Object.keys(extra).forEach(function (k) { headers[k] = extra[k]; }); }
    return fetch(url, { method: "POST", headers: headers, body: body || "{}", credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); });
  }
  function say(root, text, bad) {
    var out = root.querySelector("[data-passkey-status]");
    if (out) { out.textContent = text; out.classList.toggle("error", !!bad); }
  }
  function credentialJSON(cred) {
    var r = cred.response;
    var response = { clientDataJSON: toB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) { response.transports = r.getTransports(); }
    } else {
      response.authenticatorData = toB64url(r.authenticatorData);
      response.signature = toB64url(r.signature);
      if (r.userHandle) { response.userHandle = toB64url(r.userHandle); }
    }
    return JSON.stringify({
      id: cred.id, rawId: toB64url(cred.rawId), type: cred.type, response: response,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {}
    });
  }

  function register(root) {
    var token = csrf(root);
    say(root, root.dataset.working);
    post(root.dataset.optionsUrl, token).then(function (res) {
      var o = res.data;
      o.challenge = toBuffer(o.challenge);
      o.user.id = toBuffer(o.user.id);
      (o.excludeCredentials || []).forEach(function (c) { c.id = toBuffer(c.id); });
      return navigator.credentials.create({ publicKey: o });
    }).then(function (cred) {
      var name = root.querySelector("input[name=passkey_name]");
      return post(root.dataset.verifyUrl, token, credentialJSON(cred),
        { "X-Passkey-Name": name ? encodeURIComponent(name.value).slice(0, 60) : "" });
    }).then(function (res) {
      if (res.ok) { say(root, root.dataset.done); window.location.reload(); }
      else { say(root, res.data.detail || root.dataset.failed, true); }
    }).catch(function () { say(root, root.dataset.failed, true); });
  }

  function signIn(root) {
    var token = csrf(root);
    say(root, root.dataset.working);
    post(root.dataset.optionsUrl, token).then(function (res) {
      var o = res.data;
      o.challenge = toBuffer(o.challenge);
      (o.allowCredentials || []).forEach(function (c) { c.id = toBuffer(c.id); });
      return navigator.credentials.get({ publicKey: o });
    }).then(function (cred) {
      return post(root.dataset.verifyUrl, token, credentialJSON(cred));
    }).then(function (res) {
      if (res.ok && res.data.next) { window.location.assign(res.data.next); }
      else { say(root, res.data.detail || root.dataset.failed, true); }
    }).catch(function () { say(root, root.dataset.failed, true); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-passkey]").forEach(function (root) {
      root.hidden = false;
      var button = root.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function (ev) {
        ev.preventDefault();
        if (root.dataset.passkey === "register") { register(root); } else { signIn(root); }
      });
    });
  });
})();
