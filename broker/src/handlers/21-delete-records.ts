// DeleteRecords (key 21), versions 0-2: move a partition's log start offset forward.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { DeleteRecordsRequest, DeleteRecordsResponse } from "../protocol/generated";
import { defineHandler, errorOf } from "./handler";

/** Offset -1 means "up to the high watermark": delete everything. */
const TO_HIGH_WATERMARK = -1n;

export const deleteRecordsHandler = defineHandler<DeleteRecordsRequest, DeleteRecordsResponse>({
  apiKey: ApiKey.DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  handle(request, context) {
    const { services } = context;
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partition) => {
          try {
            const hosted = services.produceFetch.partition(topic.name, partition.partitionIndex);
            const offset = partition.offset === TO_HIGH_WATERMARK ? hosted.highWatermark : Number(partition.offset);
            const lowWatermark = hosted.deleteRecordsBefore(offset);
            return { partitionIndex: partition.partitionIndex, lowWatermark: BigInt(lowWatermark), errorCode: ErrorCode.NONE };
          } catch (error) {
            return { partitionIndex: partition.partitionIndex, lowWatermark: -1n, errorCode: errorOf(error, context).errorCode };
          }
        }),
      })),
    };
  },
});
