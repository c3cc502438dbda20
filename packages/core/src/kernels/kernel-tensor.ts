import { Shape, shapesEqual, sizeOf } from '../shape';
import { DType, Tensor, TypedArray } from '../tensor';
import { instanceHolding } from './gemm-instance';
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
  const data = kernel.alloc?.(dtype, sizeOf(shape));
  return data === undefined ? Tensor.zeros(shape, dtype) : new Tensor(data, shape);
}

/**
 * Tensor.reuse beside `like`: when `like` lives in a kernel's memory (a gate's gradient buffer), the
 * tensor is allocated in that memory too, so the loops that read both (an optimizer's update, the
 * next gate's products) run on the kernel's SIMD paths without copying; else an ordinary array.
 * An array of `previous` that is replaced is not handed back: the caller's users may still hold it.
 */
export function tensorBeside(like: TypedArray, previous: Tensor | undefined, shape: Shape, dtype: DType): Tensor {
  const g = instanceHolding(like);
  const fits = previous !== undefined && previous.dtype === dtype && shapesEqual(previous.shape, shape);
  if (fits && (g === undefined || instanceHolding((previous as Tensor).data) === g)) return previous as Tensor;
  if (g !== undefined) {
    const data = g.alloc(dtype === 'float32', sizeOf(shape));
    if (data !== undefined) return new Tensor(data, shape);
  }
  return Tensor.reuse(previous, shape, dtype);
}
