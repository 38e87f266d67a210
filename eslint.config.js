// ESLint's recommended rules for the JavaScript we write: the page scripts (browser modules),
// the service worker (a classic worker script) and the build scripts (Node). `npm run lint`
// checks them; scripts/test.sh and `make lint` run it.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    rules: {
      "no-unused-vars": ["error", { ignoreRestSiblings: true }], // `const { a, ...rest }` drops a
      eqeqeq: ["error", "smart"],
      "no-var": "error",
      "prefer-const": "error",
      "array-callback-return": "error",
      "no-template-curly-in-string": "error",
    },
  },
  {
    files: ["app/static/js/**/*.js"],
    languageOptions: { sourceType: "module", globals: globals.browser },
  },
  {
    // Worker scripts, not modules: the push handlers every worker loads with importScripts, and
    // each receipt code's own small worker.
    files: ["app/static/js/push-handlers.js", "app/static/js/receipt-push-sw.js"],
    languageOptions: { sourceType: "script", globals: globals.serviceworker },
  },
  {
    // Built into app/static/vendor/sw.js, a classic worker script (Workbox via importScripts).
    files: ["scripts/sw.js"],
    languageOptions: { sourceType: "script", globals: globals.serviceworker },
  },
  {
    files: ["scripts/**/*.mjs", "eslint.config.js"],
    languageOptions: { globals: globals.node },
  },
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
];
