import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export const CREDENTIALS_REQUIRED = 'Username and password required.';

// Present, a string, and not only white space; anything else is the same 400.
const required = { message: CREDENTIALS_REQUIRED };
const NOT_BLANK = /\S/;

export class LoginBodyDto {
  @ApiProperty({
    description: "A user of the deployment's users file (exact, case-sensitive).",
    example: 'alice',
  })
  @IsString(required)
  @Matches(NOT_BLANK, required)
  username!: string;

  @ApiProperty({
    description: "The user's password.",
    format: 'password',
    example: 'correct horse battery staple',
  })
  @IsString(required)
  @Matches(NOT_BLANK, required)
  password!: string;
}
