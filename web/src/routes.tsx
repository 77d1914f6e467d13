import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { RequireAuth } from './auth/RequireAuth.tsx';
import { AppLayout } from './layout/AppLayout.tsx';
import { Loading } from './layout/States.tsx';

const LoginPage = lazy(() => import('./pages/LoginPage.tsx'));
const SignupPage = lazy(() => import('./pages/SignupPage.tsx'));
const WorkbenchPage = lazy(() => import('./pages/WorkbenchPage.tsx'));
const AppPage = lazy(() => import('./pages/AppPage.tsx'));
const DataViewPage = lazy(() => import('./pages/DataViewPage.tsx'));
const DesignerPage = lazy(() => import('./pages/DesignerPage.tsx'));
const NewRecordPage = lazy(() => import('./pages/NewRecordPage.tsx'));
const RecordPage = lazy(() => import('./pages/RecordPage.tsx'));
const TemplatesPage = lazy(() => import('./pages/TemplatesPage.tsx'));
const AdminLayout = lazy(() => import('./pages/admin/AdminLayout.tsx'));
const MembersPage = lazy(() => import('./pages/admin/MembersPage.tsx'));
const DepartmentsPage = lazy(() => import('./pages/admin/DepartmentsPage.tsx'));
const RolesPage = lazy(() => import('./pages/admin/RolesPage.tsx'));
const PermissionsPage = lazy(() => import('./pages/admin/PermissionsPage.tsx'));
const ApiTokensPage = lazy(() => import('./pages/admin/ApiTokensPage.tsx'));
const AuditLogPage = lazy(() => import('./pages/admin/AuditLogPage.tsx'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage.tsx'));
const WorkflowDesignerPage = lazy(() => import('./workflow/WorkflowDesignerPage.tsx'));
const TasksPage = lazy(() => import('./tasks/TasksPage.tsx'));
const ApprovalPage = lazy(() => import('./tasks/ApprovalPage.tsx'));
const InstancePage = lazy(() => import('./tasks/InstancePage.tsx'));
const DashboardPage = lazy(() => import('./dashboards/DashboardPage.tsx'));

export function AppRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/signup" element={<SignupPage />} />
        <Route
          element={
            <RequireAuth>
              <AppLayout />
            </RequireAuth>
          }
        >
          <Route index element={<WorkbenchPage />} />
          <Route path="apps/:appId" element={<AppPage />} />
          <Route path="apps/:appId/forms/:formId" element={<DataViewPage />} />
          <Route path="apps/:appId/forms/:formId/design" element={<DesignerPage />} />
          <Route path="apps/:appId/forms/:formId/new" element={<NewRecordPage />} />
          <Route path="apps/:appId/forms/:formId/records/:recordId" element={<RecordPage />} />
          <Route path="apps/:appId/forms/:formId/workflow" element={<WorkflowDesignerPage />} />
          <Route path="apps/:appId/dashboards/:dashboardId" element={<DashboardPage />} />
          <Route path="tasks" element={<TasksPage />} />
          <Route path="tasks/:taskId" element={<ApprovalPage />} />
          <Route path="instances/:instanceId" element={<InstancePage />} />
          <Route path="templates" element={<TemplatesPage />} />
          <Route path="admin" element={<AdminLayout />}>
            <Route index element={<Navigate to="members" replace />} />
            <Route path="members" element={<MembersPage />} />
            <Route path="departments" element={<DepartmentsPage />} />
            <Route path="roles" element={<RolesPage />} />
            <Route path="permissions" element={<PermissionsPage />} />
            <Route path="api-tokens" element={<ApiTokensPage />} />
            <Route path="audit-log" element={<AuditLogPage />} />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
