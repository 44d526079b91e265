// InitProducerId (key 22), versions 0-5: producer ids for idempotent producers (transactions come later).
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { InitProducerIdRequest, InitProducerIdResponse } from "../protocol/generated";
import { defineHandler, errorOf } from "./handler";

/** Version 4 introduced PRODUCER_FENCED; older clients know INVALID_PRODUCER_EPOCH. */
const PRODUCER_FENCED_MIN_VERSION = 4;

export const initProducerIdHandler = defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  async handle(request, context) {
    const failed = (errorCode: number): InitProducerIdResponse => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 });
    if (request.transactionalId !== null) {
      // Transactions come later: the transaction coordinator APIs are not advertised yet.
      return failed(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }
    try {
      const result = await context.services.producerIds.initProducerId({
        producerId: Number(request.producerId),
        producerEpoch: request.producerEpoch,
      });
      if (!result.ok)
        return failed(context.apiVersion >= PRODUCER_FENCED_MIN_VERSION ? ErrorCode.PRODUCER_FENCED : ErrorCode.INVALID_PRODUCER_EPOCH);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: BigInt(result.producerId), producerEpoch: result.producerEpoch };
    } catch (error) {
      return failed(errorOf(error, context).errorCode);
    }
  },
});
