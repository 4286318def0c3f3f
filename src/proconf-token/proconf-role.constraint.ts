import { Inject, Injectable } from '@nestjs/common';
import {
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { identityConfig, type IdentityConfig } from '../config/identity.config.js';

export const ROLE_REQUIRED = 'Role required.';
export const ROLE_INVALID = 'Invalid role.';

/** `role`: one of PROCONF_ROLES (exact, after trimming); injectable because that is configuration. */
@ValidatorConstraint({ name: 'proconfRole' })
@Injectable()
export class ProconfRoleConstraint implements ValidatorConstraintInterface {
  private readonly roles: ReadonlySet<string>;

  constructor(@Inject(identityConfig.KEY) config: IdentityConfig) {
    this.roles = new Set(config.proconfRoles);
  }

  validate(value: unknown): boolean {
    return typeof value === 'string' && this.roles.has(value);
  }

  defaultMessage(args: ValidationArguments): string {
    const value: unknown = args.value;
    return typeof value === 'string' && value !== '' ? ROLE_INVALID : ROLE_REQUIRED;
  }
}
