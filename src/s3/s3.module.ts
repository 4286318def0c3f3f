import { Module } from '@nestjs/common';
import { s3Config } from '../config/s3.config.js';
import { createS3Sdk, S3_SDK } from './s3-sdk.js';
import { S3ObjectClient } from './s3-object.client.js';
import { SummaryReader } from './summary-reader.service.js';

@Module({
  providers: [
    { provide: S3_SDK, inject: [s3Config.KEY], useFactory: createS3Sdk },
    S3ObjectClient,
    SummaryReader,
  ],
  exports: [S3ObjectClient, SummaryReader],
})
export class S3Module {}
