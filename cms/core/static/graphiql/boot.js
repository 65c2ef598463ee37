/* Starts GraphiQL on the page cms/core/templates/graphiql/graphiql.html renders: the
 * endpoint is the page's own address, and the session's CSRF token goes with every
 * request (the endpoint refuses a session request without it). */
(function () {
  "use strict";

  var token = document.querySelector('meta[name="csrf-token"]');
  var headers = {};
  if (token && token.content) {
    headers["X-CSRFToken"] = token.content;
  }

  var fetcher = GraphiQL.createFetcher({
    url: window.location.origin + window.location.pathname,
    headers: headers,
  });

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
      defaultEditorToolsVisibility: true,
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
    }),
  );
})();
