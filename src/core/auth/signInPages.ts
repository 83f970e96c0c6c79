// The pages msal's loopback listener shows in the browser after a sign-in. Static text only: nothing from the request.

const style = 'font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;line-height:1.5';

export const SIGN_IN_SUCCESS_PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>Signed in</title></head>' +
  `<body style="${style}"><h1>Signed in</h1><p>Defender IP Investigator is signed in. You can close this tab and return to your editor.</p></body></html>`;

export const SIGN_IN_ERROR_PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>Sign-in failed</title></head>' +
  `<body style="${style}"><h1>Sign-in did not complete</h1><p>Return to your editor: it shows what went wrong and how to try again.</p></body></html>`;
