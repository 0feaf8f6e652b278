/**
 * Agency simulators (contract §5): simulated OASys ORDS pull paths, the police and probation push
 * endpoints, and an OAuth2 token endpoint, with switchable faults. A test and demo tool, separate from
 * the bridge: nothing under `src/` imports this folder except `src/cli/simulate.ts`, lazily, for
 * `bridge simulate`. See README.md here.
 */
export { type ClientCredentials, TokenIssuer } from "./auth.ts";
export {
  applyFaultChanges,
  FAULT_KINDS,
  FAULT_TARGETS,
  FaultInjector,
  type FaultKind,
  type FaultSettings,
  FaultSpecError,
  type FaultTarget,
  NO_FAULTS,
  parseFaultSpec,
} from "./faults.ts";
export { DEFAULT_DATA_DIR, loadOrdsData, type OrdsLoadReport } from "./ords/load.ts";
export { renderOrdsPayloads } from "./ords/render.ts";
export { OrdsStore } from "./ords/store.ts";
export {
  type IdempotencyMode,
  PARTNER_UPDATE_NS,
  type Received,
  type Recipient,
  RecipientInbox,
} from "./recipients.ts";
export { DEFAULT_CLIENT, type RunningSimulators, type SimulatorOptions, startSimulators } from "./server.ts";
