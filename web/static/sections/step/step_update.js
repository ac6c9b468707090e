// The update the optimizer would take on this input (op "previewUpdate"): the loss on the same input before and
// after one step, the gradient's size (and whether clipping scaled it down), and how far each weight block moves.
import { explained } from './step_math.js';
import { num, para, sci, table } from './step_table.js';

// p: the previewUpdate reply; u: the unroll it goes with.
export function renderUpdate(container, p, u) {
  if (!p) { container.replaceChildren(); return; }
  const parts = [explained('W ← W − η · step ( ∂L / ∂W )',
    'The optimizer moves every weight a little against its gradient (η is the learning rate; Adam, RMSprop and Adagrad scale each weight\'s step by its own history).')];
  if (p.rejected) {
    parts.push(para('The gradient is not a finite number: a real step would leave the weights as they are.'));
  } else {
    const change = p.lossAfter - p.lossBefore;
    parts.push(para(`Step ${p.step} with learning rate ${num(p.lr)}: the loss on “${u.text}” goes from ${num(p.lossBefore)} ` +
      `to ${num(p.lossAfter)} nats (${change <= 0 ? 'down' : 'up'} ${num(Math.abs(change))}). The gradient's norm is ` +
      `${sci(p.gradNorm)}${p.clipped ? ', above the clip threshold, so it was scaled down to it' : ''}; the weights move by ${sci(p.deltaNorm)} in all.`,
      'step-note step-update-line'));
  }
  parts.push(table('Each weight block: its gradient and its step', ['block', 'shape', '‖gradient‖', '‖step‖'],
    p.blocks.map((b) => [b.name, b.shape.join(' × '), sci(b.norm), sci(b.delta.norm)])));
  container.replaceChildren(...parts);
}
