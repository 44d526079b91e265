import path from "node:path";
import { writeFileAtomicSync, type FileSystem } from "../runtime/fs";

/**
 * What a node must remember across a crash to stay safe: the highest epoch
 * it has seen, whom it voted for in that epoch, and the leader it knows.
 * Kafka keeps the same in the `quorum-state` file of the metadata log's
 * directory, and so do we, in a JSON of the same shape.
 */
export interface ElectionState {
  readonly epoch: number;
  /** -1 when the node has not voted in `epoch`. */
  readonly votedId: number;
  /** -1 when the node knows no leader of `epoch`. */
  readonly leaderId: number;
}

export const NO_ELECTION_STATE: ElectionState = { epoch: 0, votedId: -1, leaderId: -1 };

export interface QuorumStateStore {
  read(): ElectionState;
  /** Durable when it returns: the node answers a vote or starts an epoch only after. */
  write(state: ElectionState): void;
}

interface QuorumStateFile {
  clusterId: string;
  leaderId: number;
  leaderEpoch: number;
  votedId: number;
  appliedOffset: number;
  currentVoters: { voterId: number }[];
  data_version: number;
}

/** The `quorum-state` file, replaced atomically (temporary file, fsync, rename, fsync of the directory). */
export class FileQuorumStateStore implements QuorumStateStore {
  constructor(
    private readonly fs: FileSystem,
    private readonly file: string,
    private readonly voters: readonly number[],
  ) {}

  static inDirectory(fs: FileSystem, dir: string, voters: readonly number[]): FileQuorumStateStore {
    return new FileQuorumStateStore(fs, path.join(dir, "quorum-state"), voters);
  }

  read(): ElectionState {
    if (!this.fs.existsSync(this.file)) return NO_ELECTION_STATE;
    const parsed = JSON.parse(this.fs.readFileSync(this.file).toString("utf8")) as Partial<QuorumStateFile>;
    const epoch = parsed.leaderEpoch;
    const votedId = parsed.votedId;
    const leaderId = parsed.leaderId;
    if (!Number.isInteger(epoch) || !Number.isInteger(votedId) || !Number.isInteger(leaderId)) {
      throw new Error(`${this.file} is not a quorum-state file`);
    }
    return { epoch: epoch as number, votedId: votedId as number, leaderId: leaderId as number };
  }

  write(state: ElectionState): void {
    const content: QuorumStateFile = {
      clusterId: "",
      leaderId: state.leaderId,
      leaderEpoch: state.epoch,
      votedId: state.votedId,
      appliedOffset: 0,
      currentVoters: this.voters.map((voterId) => ({ voterId })),
      data_version: 0,
    };
    this.fs.mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomicSync(this.fs, this.file, JSON.stringify(content));
  }
}
