import { Link } from 'react-router-dom';
import { useApps } from '../api/queries.ts';
import { useLocalize } from '../lib/localize.ts';

/** The app's name in breadcrumbs, linked to the app. */
export function AppCrumb({ appId }: { appId: string }) {
  const l = useLocalize();
  const apps = useApps();
  const app = apps.data?.find((a) => a.id === appId);
  return <Link to={`/apps/${appId}`}>{app ? l(app.name) : '…'}</Link>;
}
