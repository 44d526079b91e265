import type { ApiHandler } from "./handler";
import { forwardedToActiveController } from "./forwarding";
import { produceHandler } from "./00-produce";
import { fetchHandler } from "./01-fetch";
import { listOffsetsHandler } from "./02-list-offsets";
import { metadataHandler } from "./03-metadata";
import { offsetCommitHandler } from "./08-offset-commit";
import { offsetFetchHandler } from "./09-offset-fetch";
import { findCoordinatorHandler } from "./10-find-coordinator";
import { joinGroupHandler } from "./11-join-group";
import { heartbeatHandler } from "./12-heartbeat";
import { leaveGroupHandler } from "./13-leave-group";
import { syncGroupHandler } from "./14-sync-group";
import { describeGroupsHandler } from "./15-describe-groups";
import { listGroupsHandler } from "./16-list-groups";
import { saslHandshakeHandler } from "./17-sasl-handshake";
import { apiVersionsHandler } from "./18-api-versions";
import { createTopicsHandler } from "./19-create-topics";
import { deleteTopicsHandler } from "./20-delete-topics";
import { deleteRecordsHandler } from "./21-delete-records";
import { initProducerIdHandler } from "./22-init-producer-id";
import { describeConfigsHandler } from "./32-describe-configs";
import { alterConfigsHandler } from "./33-alter-configs";
import { describeLogDirsHandler } from "./35-describe-log-dirs";
import { saslAuthenticateHandler } from "./36-sasl-authenticate";
import { createPartitionsHandler } from "./37-create-partitions";
import { deleteGroupsHandler } from "./42-delete-groups";
import { incrementalAlterConfigsHandler } from "./44-incremental-alter-configs";
import { offsetDeleteHandler } from "./47-offset-delete";
import { voteHandler } from "./52-vote";
import { beginQuorumEpochHandler } from "./53-begin-quorum-epoch";
import { endQuorumEpochHandler } from "./54-end-quorum-epoch";
import { describeQuorumHandler } from "./55-describe-quorum";
import { fetchSnapshotHandler } from "./59-fetch-snapshot";
import { describeClusterHandler } from "./60-describe-cluster";
import { brokerRegistrationHandler } from "./62-broker-registration";
import { brokerHeartbeatHandler } from "./63-broker-heartbeat";
import { allocateProducerIdsHandler } from "./67-allocate-producer-ids";

/** Every API this broker serves; ApiVersions advertises exactly these. The admin APIs that change metadata, and DescribeQuorum, are forwarded to the active controller. */
export const ALL_HANDLERS: readonly ApiHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  syncGroupHandler,
  describeGroupsHandler,
  listGroupsHandler,
  saslHandshakeHandler,
  apiVersionsHandler,
  forwardedToActiveController(createTopicsHandler),
  forwardedToActiveController(deleteTopicsHandler),
  deleteRecordsHandler,
  initProducerIdHandler,
  describeConfigsHandler,
  forwardedToActiveController(alterConfigsHandler),
  describeLogDirsHandler,
  saslAuthenticateHandler,
  forwardedToActiveController(createPartitionsHandler),
  deleteGroupsHandler,
  forwardedToActiveController(incrementalAlterConfigsHandler),
  offsetDeleteHandler,
  voteHandler,
  beginQuorumEpochHandler,
  endQuorumEpochHandler,
  forwardedToActiveController(describeQuorumHandler),
  fetchSnapshotHandler,
  describeClusterHandler,
  brokerRegistrationHandler,
  brokerHeartbeatHandler,
  allocateProducerIdsHandler,
];
