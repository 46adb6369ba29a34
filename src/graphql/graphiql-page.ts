/**
 * The GraphiQL page (only when a frontend says `graphiql: true`): a static HTML page that loads
 * GraphiQL from a CDN and points it at the endpoint. Nothing of it is bundled into the gateway,
 * and it is off by default, so a production gateway serves no HTML and no third-party script.
 */

/** The page for an endpoint at `path` (a path the definition wrote: no HTML in it, checked). */
export function graphiqlPage(path: string): string {
  const url = JSON.stringify(path).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>GraphiQL</title>
<link rel="stylesheet" href="https://unpkg.com/graphiql@3/graphiql.min.css">
<style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script crossorigin src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
<script crossorigin src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
<script crossorigin src="https://unpkg.com/graphiql@3/graphiql.min.js"></script>
<script>
  const fetcher = GraphiQL.createFetcher({ url: new URL(${url}, location.href).href, subscriptionUrl: new URL(${url}, location.href).href.replace(/^http/, 'ws') });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, { fetcher }));
</script>
</body>
</html>
`;
}
