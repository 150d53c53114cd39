import {
  Button,
  MessageBar,
  MessageBarBody,
  Spinner,
  Tab,
  TabList,
  Text,
} from '@fluentui/react-components';
import { SignOutRegular } from '@fluentui/react-icons';
import { useEffect, useState } from 'react';
import { hasRole, setUnauthorizedHandler } from '../api/client.js';
import { CallsPage } from '../calls/CallsPage.js';
import { RunPage } from '../calls/RunPage.js';
import { EditorPage } from '../editor/EditorPage.js';
import { AdminPage } from '../pages/AdminPage.js';
import { EntryPointsPage } from '../pages/EntryPointsPage.js';
import { EnvironmentPage } from '../pages/EnvironmentPage.js';
import { FlowListPage } from '../pages/FlowListPage.js';
import { LoginPage } from '../pages/LoginPage.js';
import { ErrorBoundary } from './ErrorBoundary.js';
import { navigate, parseRoute, routePath, useHash } from './router.js';
import { useSession } from './session.js';

export function App() {
  const route = parseRoute(useHash());
  const { status, me, refresh, logout, expired } = useSession();
  const [error, setError] = useState<string>();

  useEffect(() => {
    refresh().catch((e: unknown) => setError(String(e)));
    setUnauthorizedHandler(() => expired());
    return () => setUnauthorizedHandler(undefined);
  }, [refresh, expired]);

  useEffect(() => {
    if (status === 'anonymous' && route.page !== 'login') {
      navigate({ page: 'login', next: routePath(route) }, { replace: true });
    }
  }, [status, route]);

  if (error) {
    return (
      <MessageBar intent="error">
        <MessageBarBody>The engine cannot be reached: {error}</MessageBarBody>
      </MessageBar>
    );
  }
  if (status === 'loading') return <Spinner label="Loading…" className="sb-page-spinner" />;
  if (route.page === 'login' || status === 'anonymous') {
    return <LoginPage next={route.page === 'login' ? route.next : undefined} />;
  }

  const section =
    route.page === 'entryPoints' || route.page === 'environment'
      ? route.page
      : route.page === 'admin'
        ? 'admin'
        : route.page === 'calls' || route.page === 'run'
          ? 'calls'
          : 'flows';
  return (
    <div className="sb-app">
      <header className="sb-header">
        <Text weight="semibold" size={500} className="sb-header__brand">
          Switchboard
        </Text>
        <TabList
          selectedValue={section}
          onTabSelect={(_, d) =>
            navigate(
              d.value === 'calls'
                ? { page: 'calls', filters: {} }
                : d.value === 'admin'
                  ? { page: 'admin', tab: 'users' }
                  : { page: d.value as 'flows' | 'entryPoints' | 'environment' },
            )
          }
          size="small"
          aria-label="Sections"
        >
          <Tab value="flows">Flows</Tab>
          <Tab value="entryPoints">Entry points</Tab>
          <Tab value="calls">Calls</Tab>
          {hasRole(me?.role, 'admin') && <Tab value="environment">Environment</Tab>}
          {hasRole(me?.role, 'admin') && <Tab value="admin">Admin</Tab>}
        </TabList>
        <span className="sb-header__spacer" />
        <Text size={200} className="sb-header__user">
          {me?.name} · {me?.role}
        </Text>
        <Button
          appearance="subtle"
          size="small"
          icon={<SignOutRegular />}
          onClick={() => void logout().then(() => navigate({ page: 'login' }))}
        >
          Sign out
        </Button>
      </header>
      <ErrorBoundary key={routePath(route)} what="This page">
        {route.page === 'flows' && <FlowListPage />}
        {route.page === 'entryPoints' && <EntryPointsPage />}
        {route.page === 'environment' && <EnvironmentPage />}
        {route.page === 'admin' && <AdminPage tab={route.tab} />}
        {route.page === 'calls' && <CallsPage filters={route.filters} />}
        {route.page === 'run' && <RunPage key={route.runId} runId={route.runId} />}
        {route.page === 'editor' && <EditorPage key={route.flowId} flowId={route.flowId} />}
        {route.page === 'version' && (
          <EditorPage
            key={`${route.flowId}@${route.version}`}
            flowId={route.flowId}
            version={route.version}
          />
        )}
      </ErrorBoundary>
    </div>
  );
}
