import { InvalidArgumentError, PolicyError } from '../errors.js';
import { DAY_MS } from '../lib/duration.js';

/** How far notBefore is set back, so a peer whose clock is a little behind accepts a new certificate. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface ValidityRequest {
  /** Days from now (default given by the caller). */
  days?: number;
  /** An explicit end, instead of days. */
  notAfter?: Date;
  now?: Date;
  /** The issuer certificate's own notAfter: nothing it signs may outlive it. */
  issuerNotAfter?: Date;
  /** The issuer certificate's own notBefore: nothing it signs may start before it. */
  issuerNotBefore?: Date;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
  /** Set when the end was moved to the issuer's notAfter. */
  clipped: boolean;
}

export function computeValidity(request: ValidityRequest, defaultDays: number): Validity {
  const now = request.now ?? new Date();
  if (request.days !== undefined && request.notAfter !== undefined) throw new InvalidArgumentError('give a number of days or an end date, not both');
  const days = request.days ?? defaultDays;
  if (request.notAfter === undefined && (!Number.isInteger(days) || days < 1 || days > 36500)) {
    throw new InvalidArgumentError(`validity of ${days} days is not a whole number from 1 to 36500`);
  }
  let notAfter = request.notAfter ?? new Date(now.getTime() + days * DAY_MS);
  if (Number.isNaN(notAfter.getTime())) throw new InvalidArgumentError('the end date is not a valid date');
  if (notAfter.getTime() <= now.getTime()) throw new InvalidArgumentError(`the end date ${notAfter.toISOString()} is not in the future`);
  if (request.issuerNotAfter && request.issuerNotAfter.getTime() <= now.getTime()) {
    // clipping to an end already past would make a certificate that ends before it starts
    throw new PolicyError(`the issuing CA certificate expired on ${request.issuerNotAfter.toISOString()}: renew the CA before issuing with it`);
  }
  if (request.issuerNotBefore && request.issuerNotBefore.getTime() > now.getTime()) {
    // a CA not valid yet (imported with a notBefore ahead, or a clock behind) would sign
    // certificates that no validator accepts before it, and whose validity it does not nest
    throw new PolicyError(`the issuing CA certificate is not valid before ${request.issuerNotBefore.toISOString()}: issue with it from then on, or check this machine's clock`);
  }
  let clipped = false;
  if (request.issuerNotAfter && notAfter.getTime() > request.issuerNotAfter.getTime()) {
    notAfter = new Date(request.issuerNotAfter.getTime());
    clipped = true;
  }
  // X.509 times have whole seconds
  // (set back for clock skew, but never before the issuer's own start: validity nests in the CA's)
  const notBefore = new Date(Math.max(Math.floor((now.getTime() - CLOCK_SKEW_MS) / 1000) * 1000, request.issuerNotBefore?.getTime() ?? 0));
  return { notBefore, notAfter: new Date(Math.floor(notAfter.getTime() / 1000) * 1000), clipped };
}
