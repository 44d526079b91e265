// ListOffsets (key 2), versions 0-9: earliest, latest, by timestamp, max timestamp.
import { ErrorCode, KafkaError } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { ListOffsetsRequest, ListOffsetsResponse } from "../protocol/generated";
import { defineHandler, errorOf } from "./handler";

type PartitionResponse = ListOffsetsResponse["topics"][number]["partitions"][number];

/** The special timestamps of ListOffsets. */
const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
const LATEST_TIERED = -5n;

export const listOffsetsHandler = defineHandler<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: ApiKey.ListOffsets,
  minVersion: 0,
  maxVersion: 9,
  handle(request, context) {
    const { services } = context;
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partition): PartitionResponse => {
          const response: PartitionResponse = {
            partitionIndex: partition.partitionIndex,
            errorCode: ErrorCode.NONE,
            oldStyleOffsets: [],
            timestamp: -1n,
            offset: -1n,
            leaderEpoch: -1,
          };
          try {
            const hosted = services.produceFetch.partition(topic.name, partition.partitionIndex);
            const log = hosted.log;
            let found: { offset: number; timestamp: number } | null;
            switch (partition.timestamp) {
              case LATEST:
                // No transactions yet, so the last stable offset is the high watermark.
                found = { offset: hosted.highWatermark, timestamp: -1 };
                break;
              case EARLIEST:
              case EARLIEST_LOCAL:
                found = { offset: log.logStartOffset, timestamp: -1 };
                break;
              case MAX_TIMESTAMP:
                found = committedOnly(log.maxTimestampOffset(), hosted.highWatermark);
                break;
              case LATEST_TIERED:
                found = null;
                break;
              default:
                if (partition.timestamp < 0n)
                  throw new KafkaError("INVALID_REQUEST", `Unknown special timestamp ${partition.timestamp}`);
                found = committedOnly(log.offsetForTimestamp(Number(partition.timestamp)), hosted.highWatermark);
            }
            if (found) {
              response.offset = BigInt(found.offset);
              response.timestamp = BigInt(found.timestamp);
              // The epoch that wrote the offset; the current one for an offset at the log end, which the next append gets.
              const epoch = log.leaderEpochOf(found.offset);
              response.leaderEpoch = epoch >= 0 && found.offset < log.logEndOffset ? epoch : hosted.leaderEpoch;
              response.oldStyleOffsets = [BigInt(found.offset)];
            }
          } catch (error) {
            response.errorCode = errorOf(error, context).errorCode;
          }
          return response;
        }),
      })),
    };
  },
});

/** Consumers see only committed records: one found at or past the high watermark is not there yet for them. */
function committedOnly(found: { offset: number; timestamp: number } | null, highWatermark: number): { offset: number; timestamp: number } | null {
  return found && found.offset < highWatermark ? found : null;
}
