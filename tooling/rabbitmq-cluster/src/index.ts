export {
  assertPrerequisites,
  CLUSTER_SCRIPT,
  type ClusterLayout,
  type ClusterNode,
  clusterCommand,
  clusterLayout,
  NODE_INDEXES,
  type NodeIndex,
  runClusterScript,
  type ScriptResult,
} from "./cluster.js";
export {
  daemonsPerNode,
  missingSubscriptions,
  type Placement,
  readPlacement,
  waitForSubscriptions,
} from "./placement.js";
