/** See dockerfile.mjs. */
export interface DockerInstruction {
  instruction: string;
  args: string;
  line: number;
}
export interface DockerStage {
  from: string;
  name: string | undefined;
  instructions: DockerInstruction[];
}
export interface DockerImage {
  stages: DockerStage[];
  cmd: string[] | undefined;
  healthcheck: { options: Record<string, string>; argv: string[] } | undefined;
  env: Record<string, string>;
  workdir: string | undefined;
  user: string | undefined;
  expose: string[];
}
export const REPO: string;
export const DOCKERFILE: string;
export function parseDockerfile(text: string): DockerInstruction[];
export function stages(instructions: DockerInstruction[]): DockerStage[];
export function execForm(args: string, what: string): string[];
export function readImage(file?: string): DockerImage;
