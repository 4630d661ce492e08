import { AlertmanagerPage } from './pages/alertmanager.js';
import { AlertsPage } from './pages/alerts.js';
import { DashboardPage, DashboardsPage } from './pages/dashboards.js';
import { QueryPage } from './pages/query.js';
import { RulesPage } from './pages/rules.js';
import { StatusPage } from './pages/status.js';
import { TargetsPage } from './pages/targets.js';
import { href, linkClick, useRoute } from './lib/router.js';
import { setTheme, useTheme } from './theme.js';

const NAV: Array<[string, string]> = [
  ['graph', 'Query'],
  ['dashboards', 'Dashboards'],
  ['alerts', 'Alerts'],
  ['alertmanager', 'Alertmanager'],
  ['targets', 'Targets'],
  ['rules', 'Rules'],
  ['status', 'Status'],
];

export function App(): preact.JSX.Element {
  const route = useRoute();
  const theme = useTheme();
  const page = route.page === '' ? 'graph' : route.page;
  const active = page === 'dashboard' ? 'dashboards' : page;
  return (
    <div class="app">
      <nav class="topbar">
        <a class="brand" href={href('graph')} onClick={linkClick}>
          <span class="logo" aria-hidden="true" />
          Vigil
        </a>
        <div class="nav-links">
          {NAV.map(([p, label]) => (
            <a key={p} href={href(p)} onClick={linkClick} class={active === p ? 'nav-link active' : 'nav-link'} aria-current={active === p ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </div>
        <span class="spacer" />
        <button class="btn icon theme-toggle" title={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'} aria-label="Toggle theme" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </nav>
      <main class="main">
        <Page page={page} />
      </main>
    </div>
  );
}

function Page({ page }: { page: string }): preact.JSX.Element {
  switch (page) {
    case 'graph':
    case 'query':
      return <QueryPage />;
    case 'targets':
      return <TargetsPage />;
    case 'alerts':
      return <AlertsPage />;
    case 'alertmanager':
    case 'silences':
      return <AlertmanagerPage />;
    case 'rules':
      return <RulesPage />;
    case 'status':
    case 'tsdb-status':
    case 'flags':
    case 'config':
      return <StatusPage />;
    case 'dashboards':
      return <DashboardsPage />;
    case 'dashboard':
      return <DashboardPage />;
    default:
      return (
        <div class="page">
          <h1>Not found</h1>
          <p>
            There is no page "{page}". Go to the{' '}
            <a href={href('graph')} onClick={linkClick}>
              query page
            </a>
            .
          </p>
        </div>
      );
  }
}
