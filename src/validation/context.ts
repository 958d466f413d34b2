// What a validation rule may know about the resource besides its spec.

export interface ValidationContext {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}
