import { Shape, shapesEqual } from '../shape';
import { DType, Tensor } from '../tensor';
import { MatmulKernel } from './kernel';

/**
 * Tensor.reuse for the buffers a gate hands to its kernel: `previous` again when its shape and dtype
 * still fit, else a zeroed tensor whose array the kernel allocates where its products read and write
 * (the WebAssembly kernel's memory: no copies in or out), or an ordinary array when the kernel has
 * none to give. The replaced array goes back to the kernel.
 */
export function kernelTensor(kernel: MatmulKernel, previous: Tensor | undefined, shape: Shape, dtype: DType): Tensor {
  if (previous !== undefined && previous.dtype === dtype && shapesEqual(previous.shape, shape)) return previous;
  if (previous !== undefined) kernel.release?.(previous.data);
  let size = 1;
  for (let i = 0; i < shape.length; i++) size *= shape[i];
  const data = kernel.alloc?.(dtype, size);
  return data === undefined ? Tensor.zeros(shape, dtype) : new Tensor(data, shape);
}
