import 'reflect-metadata';
console.log('chainrule examples: coming up');
