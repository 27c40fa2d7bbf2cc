// Starts Swagger UI on /api/v1/docs (kept in a file: the CSP allows no inline scripts).
"use strict";
(function () {
  var target = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: target.getAttribute("data-openapi-url"),
    domNode: target,
    deepLinking: true,
  });
})();
