// Swagger UI over this API's own /openapi.json. The page may sit behind a stage path (/api/docs)
// or a custom domain's base path: the document is next to it, whatever the prefix.
"use strict";

(function start() {
  const prefix = window.location.pathname.replace(/\/docs\/?$/, "");
  window.ui = window.SwaggerUIBundle({
    url: `${prefix}/openapi.json`,
    dom_id: "#swagger-ui",
    deepLinking: true,
    docExpansion: "list",
    filter: false,
    layout: "BaseLayout",
    // No badge from validator.swagger.io: the page talks to this origin only (connect-src 'self').
    validatorUrl: null,
    tryItOutEnabled: false,
    presets: [window.SwaggerUIBundle.presets.apis],
  });
})();
