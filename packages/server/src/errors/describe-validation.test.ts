import { describe, expect, it } from 'vitest';
import { describeValidation, pointerToPath } from './describe-validation.js';

describe('pointerToPath', () => {
  it.each([
    ['', ''],
    ['/email', 'email'],
    ['/health_profile/age', 'health_profile.age'],
    ['/health_profile/conditions/2', 'health_profile.conditions[2]'],
    ['/a~1b/c~0d', 'a/b.c~d'],
  ])('turns %j into %j', (pointer, path) => {
    expect(pointerToPath(pointer)).toBe(path);
  });
});

describe('describeValidation', () => {
  it('names a missing nested property', () => {
    expect(
      describeValidation([
        {
          keyword: 'required',
          instancePath: '/health_profile',
          params: { requiredProperties: ['age'] },
          message: 'must have required properties age',
        },
      ]),
    ).toEqual({ field: 'health_profile.age', message: 'health_profile.age is required' });
  });

  it('prefers the additionalProperties issue over its boolean twin', () => {
    expect(
      describeValidation([
        { keyword: 'boolean', instancePath: '/extra', params: {}, message: 'schema is false' },
        {
          keyword: 'additionalProperties',
          instancePath: '',
          params: { additionalProperties: ['extra'] },
          message: 'must not have additional properties',
        },
      ]),
    ).toEqual({ field: 'extra', message: 'extra is not an allowed property' });
  });

  it('lists the allowed values of a union of literals', () => {
    const issues = ['a', 'b'].map((v) => ({
      keyword: 'const',
      instancePath: '/kind',
      params: { allowedValue: v },
      message: 'must be equal to constant',
    }));
    expect(describeValidation(issues)).toEqual({
      field: 'kind',
      message: 'kind must be one of "a", "b"',
    });
  });
});
