import { Module } from '@nestjs/common';
import { S3ObjectClient } from './s3-object.client.js';
import { SummaryReader } from './summary-reader.service.js';

@Module({
  providers: [S3ObjectClient, SummaryReader],
  exports: [S3ObjectClient, SummaryReader],
})
export class S3Module {}
