import { existsSync } from 'node:fs';
import type { Config } from '../config.js';
import { policySchema, type Policy } from '../core/policy-schema.js';
import { Directory, schoolConfigSchema, type SchoolConfig } from '../core/school.js';
import { loadYamlFile } from './yaml-file.js';

export const exampleSchoolFile = 'data/school.example.yaml';

export function loadPolicyFile(file: string): Policy {
  return loadYamlFile('The policy file', file, policySchema);
}

export function loadSchoolFile(file: string): SchoolConfig {
  return loadYamlFile('The school file', file, schoolConfigSchema);
}

export interface LoadedSchool {
  config: SchoolConfig;
  directory: Directory;
  policy: Policy;
  schoolFile: string;
  policyFile: string;
}

/**
 * The school file and the policy it names. The policy path in the school file is read
 * relative to the folder the bot runs in (the project folder), as in the example.
 */
export function loadSchool(schoolFile: string): LoadedSchool {
  const config = loadSchoolFile(schoolFile);
  const policyFile = config.policy;
  const policy = loadPolicyFile(policyFile);
  return { config, directory: new Directory(config), policy, schoolFile, policyFile };
}

/**
 * Which school file to use: SCHOOL_CONFIG if set; else data/school.yaml; and, when
 * neither exists, the demo school (so that a fresh clone runs).
 */
export function chooseSchoolFile(config: Pick<Config, 'schoolConfig' | 'schoolConfigExplicit'>): { file: string; demo: boolean } {
  if (config.schoolConfigExplicit || existsSync(config.schoolConfig)) return { file: config.schoolConfig, demo: false };
  return { file: exampleSchoolFile, demo: true };
}
