// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API
// to exist before the library is first loaded: this module is the one way hapki imports it.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

export { x509 };
