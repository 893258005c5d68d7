/** The worker's workflowsPath: every workflow of the service. */
export { conversionCallbackWorkflow } from './conversion-callback';
